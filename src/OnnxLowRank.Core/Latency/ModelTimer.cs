using System.Diagnostics;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Latency;

/// <summary>The median time of one run of small models with fixed input shapes, in milliseconds.</summary>
internal static class ModelTimer
{
    public static double MedianMilliseconds(IModelRunner runner, ModelProto model, LatencyOptions options)
    {
        using var timed = new Timed(runner, model);
        for (var i = 0; i < options.WarmRuns; i++) timed.Run();
        var times = new double[options.Runs];
        for (var i = 0; i < times.Length; i++) times[i] = timed.Run();
        return Median(times);
    }

    /// <summary>
    /// Two models timed in alternation, run for run, so that a change of load on a shared machine
    /// reaches both alike: their ratio holds even when their absolute times drift.
    /// </summary>
    public static (double First, double Second) InterleavedMilliseconds(IModelRunner runner, ModelProto first, ModelProto second, LatencyOptions options)
    {
        using var a = new Timed(runner, first);
        using var b = new Timed(runner, second);
        for (var i = 0; i < options.WarmRuns; i++)
        {
            a.Run();
            b.Run();
        }
        var timesA = new double[options.Runs];
        var timesB = new double[options.Runs];
        for (var i = 0; i < options.Runs; i++)
        {
            timesA[i] = a.Run();
            timesB[i] = b.Run();
        }
        return (Median(timesA), Median(timesB));
    }

    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>A session with its inputs, timing one run at a time.</summary>
    private sealed class Timed : IDisposable
    {
        private readonly IModelSession _session;
        private readonly Dictionary<string, TensorData> _inputs;

        public Timed(IModelRunner runner, ModelProto model)
        {
            _session = runner.Open(model);
            var random = new Random(1);
            _inputs = _session.Inputs.ToDictionary(i => i.Name, i => RandomTensor(i, random));
        }

        public double Run()
        {
            var start = Stopwatch.GetTimestamp();
            _session.Run(_inputs);
            return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        public void Dispose() => _session.Dispose();
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
