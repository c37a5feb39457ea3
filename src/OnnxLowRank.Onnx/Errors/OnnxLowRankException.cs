namespace OnnxLowRank.Onnx.Errors;

/// <summary>
/// Base of every failure a user can cause or fix. The CLI turns these into one line
/// (file, subject, advice) and an exit code; everything else is a bug.
/// </summary>
public abstract class OnnxLowRankException : Exception
{
    protected OnnxLowRankException(string message, string? filePath, string? subject, string? advice, Exception? inner = null)
        : base(Compose(message, filePath, subject, advice), inner)
    {
        Reason = message;
        FilePath = filePath;
        Subject = subject;
        Advice = advice;
    }

    /// <summary>What went wrong, without the file, subject or advice.</summary>
    public string Reason { get; }

    /// <summary>The model or data file involved, when there is one.</summary>
    public string? FilePath { get; }

    /// <summary>The tensor, node or value the failure is about, when there is one.</summary>
    public string? Subject { get; }

    /// <summary>What the user can do about it.</summary>
    public string? Advice { get; }

    /// <summary>
    /// True when the failure lies with the machine or its settings (a memory limit reached, a bad setting, a missing
    /// provider library), not with the model: code that would put an engine failure down to the model's graph or
    /// sizes lets these through as they are.
    /// </summary>
    public virtual bool IsEnvironmentFailure => false;

    private static string Compose(string message, string? filePath, string? subject, string? advice)
    {
        var parts = new List<string>(4);
        if (!string.IsNullOrEmpty(filePath)) parts.Add(filePath);
        if (!string.IsNullOrEmpty(subject)) parts.Add($"'{subject}'");
        parts.Add(message);
        var line = string.Join(": ", parts);
        return string.IsNullOrEmpty(advice) ? line : $"{line} ({advice})";
    }
}
