using Microsoft.ML.OnnxRuntime;

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
        var options = OnnxRuntimeSessions.Options(IntraOpNumThreads, OptimizationLevel);
        try
        {
            if (Provider == ExecutionProvider.Cuda) CudaProvider.Append(options, DeviceId);
            return options;
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }
}
