using System.Text.RegularExpressions;
using OnnxLowRank.Onnx.Errors;

namespace OnnxLowRank.Runtime;

/// <summary>
/// ONNX Runtime refused or failed something. <see cref="OnnxLowRankException.Reason"/> is ONNX Runtime's
/// own message; <see cref="ErrorCode"/> is its error code.
/// </summary>
public sealed partial class OnnxRuntimeException(ErrorCode errorCode, string message, string? filePath = null, string? subject = null, string? advice = null,
    Exception? inner = null, bool memoryLimitReached = false, bool environmentFailure = false)
    : OnnxLowRankException(message, filePath, subject, advice, inner)
{
    private readonly bool _environmentFailure = environmentFailure;

    public ErrorCode ErrorCode { get; } = errorCode;

    /// <summary>True when the model needed more memory than <see cref="MemoryLimit"/> allows.</summary>
    public bool MemoryLimitReached { get; } = memoryLimitReached;

    public override bool IsEnvironmentFailure => MemoryLimitReached || _environmentFailure;

    /// <summary>
    /// The same error naming <paramref name="filePath"/> as the model, for callers that ran a model held
    /// in memory and know the file it came from; an error that names a file already is returned as is.
    /// </summary>
    public OnnxRuntimeException ForFile(string filePath) => FilePath is not null
        ? this
        : new OnnxRuntimeException(ErrorCode, Reason, filePath, Subject, Advice, this, MemoryLimitReached, _environmentFailure);

    /// <summary>
    /// The official package's exception as this project's: its code (which that package keeps internal and
    /// writes as "[ErrorCode:Name] " before the message) read back, and the arena's refusal explained.
    /// </summary>
    internal static OnnxRuntimeException From(Microsoft.ML.OnnxRuntime.OnnxRuntimeException e, string? filePath, string? advice = null)
    {
        var match = CodePrefix().Match(e.Message);
        var code = match.Success ? CodeNamed(match.Groups[1].Value) : ErrorCode.Fail;
        var message = match.Success ? e.Message[match.Length..] : e.Message;
        if (!MemoryLimit.IsRefusal(message)) return new OnnxRuntimeException(code, message, filePath, advice: advice, inner: e);
        var limit = MemoryLimit.Bytes;
        return new OnnxRuntimeException(code, $"ONNX Runtime's memory limit of {MemoryLimit.Describe(limit)} was reached: {message}",
            filePath, advice: MemoryLimit.Advice(limit), inner: e, memoryLimitReached: true);
    }

    // The managed package names codes 11 and 12 after their old meanings.
    private static ErrorCode CodeNamed(string name) => name switch
    {
        "ShapeInferenceNotRegistered" => ErrorCode.EpFail,
        "RequirementNotRegistered" => ErrorCode.ModelLoadCanceled,
        _ => Enum.TryParse<ErrorCode>(name, out var code) ? code : ErrorCode.Fail,
    };

    [GeneratedRegex(@"^\[ErrorCode:(\w+)\] ")]
    private static partial Regex CodePrefix();
}
