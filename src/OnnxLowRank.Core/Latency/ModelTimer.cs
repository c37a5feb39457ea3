using System.Diagnostics;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Latency;

/// <summary>The median time of one run of a small model with fixed input shapes, in milliseconds.</summary>
internal static class ModelTimer
{
    public static double MedianMilliseconds(IModelRunner runner, ModelProto model, LatencyOptions options)
    {
        using var session = runner.Open(model);
        var random = new Random(1);
        var inputs = session.Inputs.ToDictionary(i => i.Name, i => RandomTensor(i, random));
        for (var i = 0; i < options.WarmRuns; i++) session.Run(inputs);
        var times = new double[options.Runs];
        for (var i = 0; i < times.Length; i++)
        {
            var start = Stopwatch.GetTimestamp();
            session.Run(inputs);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        return times.Length % 2 == 1 ? times[times.Length / 2] : (times[times.Length / 2 - 1] + times[times.Length / 2]) / 2;
    }

    /// <summary>Random values in [-1, 1) for floating-point inputs (no denormals to slow a kernel down), zeros otherwise.</summary>
    private static TensorData RandomTensor(ValueDescriptor input, Random random)
    {
        var shape = input.Shape.Select(d => d ?? 1).ToArray();
        var count = shape.Aggregate(1L, (a, d) => a * d);
        Array values = input.ElementType switch
        {
            TensorProto.Types.DataType.Float => Fill(count, () => (float)(2 * random.NextDouble() - 1)),
            TensorProto.Types.DataType.Double => Fill(count, () => 2 * random.NextDouble() - 1),
            TensorProto.Types.DataType.Float16 => Fill(count, () => (Half)(2 * random.NextDouble() - 1)),
            var other => Array.CreateInstance(TensorData.ClrTypeOf(other) ?? throw new NotSupportedException($"Cannot feed {other} to time a layer."), count),
        };
        return new TensorData(input.ElementType, shape, values);
    }

    private static T[] Fill<T>(long count, Func<T> next)
    {
        var values = new T[count];
        for (var i = 0; i < values.Length; i++) values[i] = next();
        return values;
    }
}
