namespace OnnxLowRank.Runtime;

/// <summary>How <see cref="OnnxRuntimeModelRunner"/> builds its sessions.</summary>
public sealed record OnnxRuntimeRunnerOptions
{
    /// <summary>Threads inside one operator; 0 lets ONNX Runtime use every core.</summary>
    public int IntraOpNumThreads { get; init; }

    public GraphOptimizationLevel OptimizationLevel { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    public ExecutionProvider Provider { get; init; } = ExecutionProvider.Cpu;

    /// <summary>The CUDA device when <see cref="Provider"/> is <see cref="ExecutionProvider.Cuda"/>.</summary>
    public int DeviceId { get; init; }

    internal SessionOptions CreateSessionOptions()
    {
        var options = new SessionOptions();
        try
        {
            options.IntraOpNumThreads = IntraOpNumThreads;
            options.GraphOptimizationLevel = OptimizationLevel;
            if (Provider == ExecutionProvider.Cuda) options.AppendExecutionProvider_CUDA(DeviceId);
            return options;
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }
}
