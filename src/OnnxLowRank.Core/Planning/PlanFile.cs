using System.Text.Json;
using System.Text.Json.Serialization;

namespace OnnxLowRank.Core.Planning;

/// <summary>
/// A compression plan on disk (<c>compress --plan-out</c>, <c>--plan</c>): per factorized layer its name, operator and
/// weight shape (so a plan meant for another model is caught), and the chosen k, rank and factor order. A pipeline
/// keeps it beside the model it built; re-applied to the same model with the same options it rewrites the same bytes,
/// and a reviewer can edit a rank or drop a layer by hand. Layers not listed stay whole.
/// </summary>
public static class PlanFile
{
    public const int SchemaVersion = 1;

    /// <summary>One factorized layer.</summary>
    /// <param name="Order">The factor order the rewrite used ("kernel-first" or "input-first"); informative, recomputed on re-application.</param>
    public sealed record Layer(string Name, string OpType, long[] WeightShape, int SliceCount, int Rank, string? Order = null);

    /// <param name="Method">The allocator that chose the sizes; written into the rewritten nodes again when re-applied.</param>
    public sealed record Document(int SchemaVersion, string Method, IReadOnlyList<Layer> Layers)
    {
        public CompressionPlan ToPlan() => new(Layers.Select(l => new LayerPlan(l.Name, l.SliceCount, l.Rank)), Method);
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Writes the plan through a temporary file beside <paramref name="path"/>, moved into place when complete.</summary>
    public static void Write(string path, Document document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var full = Path.GetFullPath(path);
        var partial = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.partial");
        try
        {
            File.WriteAllText(partial, JsonSerializer.Serialize(document, Json) + "\n");
            File.Move(partial, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(partial);
            throw new InvalidPlanException($"the plan cannot be written: {e.Message}", full, advice: "check that the folder exists and is writable", inner: e);
        }
    }

    /// <exception cref="InvalidPlanException">The file is missing, not a plan, or lists a layer twice or with a size below 1.</exception>
    public static Document Read(string path)
    {
        Document? document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(File.ReadAllText(path), Json);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidPlanException($"the plan cannot be read: {e.Message}", path, advice: "give the file 'compress --plan-out' wrote", inner: e);
        }
        catch (JsonException e)
        {
            throw new InvalidPlanException($"not a plan: {e.Message}", path, advice: "give the file 'compress --plan-out' wrote", inner: e);
        }
        if (document?.Layers is null || string.IsNullOrWhiteSpace(document.Method) || document.Layers.Any(l => l?.Name is null || l.WeightShape is null))
            throw new InvalidPlanException("not a plan: it needs a method and layers, each with a name, weight shape, slice count and rank", path,
                advice: "give the file 'compress --plan-out' wrote");
        if (document.SchemaVersion != SchemaVersion)
            throw new InvalidPlanException($"plan schema version {document.SchemaVersion} is not {SchemaVersion}", path, advice: "write the plan again with this version of the tool");
        try
        {
            document.ToPlan();
        }
        catch (ArgumentException e)
        {
            throw new InvalidPlanException(e.Message, path, advice: "list each layer once, with a slice count and rank of at least 1", inner: e);
        }
        return document;
    }
}
