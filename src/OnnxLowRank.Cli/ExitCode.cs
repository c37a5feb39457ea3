namespace OnnxLowRank.Cli;

/// <summary>The process exit codes; scripts and CI depend on them, so they never change meaning.</summary>
public static class ExitCode
{
    public const int Success = 0;

    /// <summary>The command ran, but a quality gate (--max-accuracy-drop, --min-agreement) failed.</summary>
    public const int GateFailed = 1;

    /// <summary>Bad usage or bad input: an unknown option, a missing file, a malformed model or data file.</summary>
    public const int BadInput = 2;

    /// <summary>The engine failed: ONNX Runtime refused a model or a run, a provider (CUDA) is missing, or an internal error.</summary>
    public const int RuntimeFailure = 3;
}
