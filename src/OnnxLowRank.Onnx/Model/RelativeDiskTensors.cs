using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Onnx;

/// <summary>
/// A model whose weights stay in their data files (<see cref="DiskTensor"/>) made serializable for an engine that reads
/// them itself: a copy whose every such tensor names its file relative to one folder that holds them all. Engines
/// refuse absolute locations, and those that follow links to check containment refuse links too; this way the
/// weights are neither copied nor read here, and nothing is written beside the input.
/// </summary>
public static class RelativeDiskTensors
{
    /// <summary>
    /// The copy of <paramref name="model"/> (not modified) and the folder its locations are relative to: the deepest
    /// one holding every data file; null when no weight stays on disk.
    /// </summary>
    public static (ModelProto Model, string? Folder) Of(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var copy = model.Clone();
        var sites = ModelTensors.All(copy).Select(site => (site.Tensor, Where: DiskTensor.Locate(site.Tensor))).Where(s => s.Where is not null).ToList();
        if (sites.Count == 0) return (copy, null);
        // The data files' real paths lie inside the model's real folder (load checked that), so a common folder exists.
        var folder = sites.Select(s => Path.GetDirectoryName(s.Where!.Value.Path)!).Aggregate(CommonFolder);
        foreach (var (tensor, where) in sites)
        {
            var (path, offset, length) = where!.Value;
            DiskTensor.Point(tensor, Path.GetRelativePath(folder, path).Replace(Path.DirectorySeparatorChar, '/'), offset, length);
        }
        return (copy, folder);
    }

    private static string CommonFolder(string a, string b)
    {
        while (!IsWithin(b, a)) a = Path.GetDirectoryName(a) ?? throw new InvalidOperationException($"'{a}' and '{b}' share no folder.");
        return a;
    }

    private static bool IsWithin(string path, string folder)
    {
        var relative = Path.GetRelativePath(folder, path);
        return relative == "." || (!relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative));
    }
}
