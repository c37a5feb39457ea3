using Microsoft.ML.OnnxRuntime;

namespace OnnxLowRank.Runtime;

/// <summary>
/// Makes and runs ONNX Runtime's own <see cref="InferenceSession"/>s the way this project needs them:
/// tensors from the environment's capped arena, and every failure as this project's
/// <see cref="OnnxRuntimeException"/> naming the model file, with advice when the cap was hit.
/// Tools and tests that use the official API directly create their sessions here.
/// </summary>
public static class OnnxRuntimeSessions
{
    // Default run options; nothing ever changes them, so every run shares one for the life of the process.
    private static readonly RunOptions DefaultRun = new();

    /// <summary>Session options that allocate from the environment's capped arena.</summary>
    public static SessionOptions Options(int intraOpThreads = 0, GraphOptimizationLevel level = GraphOptimizationLevel.ORT_ENABLE_ALL)
    {
        _ = OnnxRuntimeEnvironment.Instance;
        var options = new SessionOptions();
        try
        {
            options.AddSessionConfigEntry("session.use_env_allocators", "1");
            options.IntraOpNumThreads = intraOpThreads;
            options.GraphOptimizationLevel = level;
            return options;
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }

    /// <summary>Loads the model file at <paramref name="modelPath"/> (external data is read relative to it).</summary>
    public static InferenceSession Open(string modelPath, SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        return Create(options, o => new InferenceSession(modelPath, o), modelPath);
    }

    /// <summary>Loads a serialized model held in memory.</summary>
    public static InferenceSession Open(byte[] model, SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Create(options, o => new InferenceSession(model, o), filePath: null);
    }

    /// <summary>Runs <paramref name="session"/>; the caller owns (disposes) the returned values.</summary>
    public static IDisposableReadOnlyCollection<OrtValue> Run(InferenceSession session, IReadOnlyCollection<string> inputNames,
        IReadOnlyCollection<OrtValue> inputValues, IReadOnlyCollection<string> outputNames, string? filePath = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        return Translated(() => session.Run(DefaultRun, inputNames, inputValues, outputNames), filePath);
    }

    /// <summary>Runs <paramref name="work"/>, turning ONNX Runtime's exceptions into this project's.</summary>
    internal static T Translated<T>(Func<T> work, string? filePath, string? advice = null)
    {
        try
        {
            return work();
        }
        catch (Microsoft.ML.OnnxRuntime.OnnxRuntimeException e)
        {
            throw OnnxRuntimeException.From(e, filePath, advice);
        }
    }

    /// <inheritdoc cref="Translated{T}"/>
    internal static void Translated(Action work, string? filePath, string? advice = null) =>
        Translated(() =>
        {
            work();
            return 0;
        }, filePath, advice);

    private static InferenceSession Create(SessionOptions? options, Func<SessionOptions, InferenceSession> create, string? filePath)
    {
        var own = options is null ? Options() : null;
        try
        {
            // Initializers come from the capped arena too, so loading can hit the limit.
            return Translated(() => create(options ?? own!), filePath);
        }
        finally
        {
            own?.Dispose();
        }
    }
}
