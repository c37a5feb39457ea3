using OnnxLowRank.Onnx.Errors;

namespace OnnxLowRank.Core.Execution;

/// <summary>
/// A run the job needs failed on generated inputs while some symbolic dimension had no size and so ran at 1
/// (a reflect Pad or a strided Conv over a time axis of 1, say). The fix is the user's, a size for that
/// dimension, so this is a usage error (exit 2) that names the dimension and the option, with the engine's
/// own message kept as the reason.
/// </summary>
public sealed class UnsizedDimensionException(IReadOnlyList<string> dimensions, Exception engineError, string? filePath = null)
    : OnnxLowRankException(
        $"the model did not run with {Naming(dimensions)} at 1, the size a symbolic dimension takes when none is given: {ReasonOf(engineError)}",
        filePath, subject: null, advice: "pass " + string.Join(" ", dimensions.Select(d => $"--dim {d}=SIZE")), engineError)
{
    /// <summary>The unsized dimensions, as they are written before "=SIZE".</summary>
    public IReadOnlyList<string> Dimensions { get; } = dimensions;

    /// <summary>"dimension T has no size; pass --dim T=SIZE": why a model was loaded but not run.</summary>
    public string NoSize => $"{Naming(Dimensions)} {(Dimensions.Count == 1 ? "has" : "have")} no size; {Advice}";

    /// <summary>The same failure reported against the model file the user named.</summary>
    public UnsizedDimensionException ForFile(string path) => new(Dimensions, InnerException!, path);

    private static string Naming(IReadOnlyList<string> dimensions) =>
        dimensions.Count == 1 ? $"dimension {dimensions[0]}" : $"dimensions {string.Join(", ", dimensions)}";

    private static string ReasonOf(Exception error) => error is OnnxLowRankException known ? known.Reason : error.Message;
}
