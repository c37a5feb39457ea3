using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OnnxLowRank.Runtime;

namespace OnnxLowRank.Bench;

/// <summary>
/// Median latency of several models on the same input in ONNX Runtime, through the official package as the tool sets it up.
/// The models are interleaved (each round runs every one, starting with a different one each time) so a
/// change in machine load touches them all alike.
/// </summary>
internal static class LatencyMeter
{
    /// <summary>The median milliseconds per run of each model, in the order given.</summary>
    public static double[] MedianMs(IReadOnlyList<string> modelPaths, int batch, int threads, LatencySettings settings)
    {
        using var options = OnnxRuntimeSessions.Options(threads);
        options.InterOpNumThreads = 1;
        var sessions = modelPaths.Select(p => OnnxRuntimeSessions.Open(p, options)).ToList();
        var feeds = sessions.Select(s => Feed.For(s, batch)).ToList();
        try
        {
            for (var w = 0; w < settings.Warmups; w++)
            {
                for (var i = 0; i < sessions.Count; i++) feeds[i].RunOnce(sessions[i]);
            }
            var samples = sessions.Select(_ => new List<double>()).ToList();
            var clock = Stopwatch.StartNew();
            for (var round = 0; round < settings.MaxRounds && (round < settings.MinRounds || clock.Elapsed < settings.Budget); round++)
            {
                for (var n = 0; n < sessions.Count; n++)
                {
                    var i = (round + n) % sessions.Count;
                    samples[i].Add(feeds[i].RunOnce(sessions[i]));
                }
            }
            return samples.Select(Median).ToArray();
        }
        finally
        {
            foreach (var feed in feeds) feed.Dispose();
            foreach (var session in sessions) session.Dispose();
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>Seeded random float inputs for every input of a session, the symbolic axes at the batch size.</summary>
    private sealed class Feed : IDisposable
    {
        private readonly string[] _names;
        private readonly OrtValue[] _values;
        private readonly string[] _outputs;

        private Feed(string[] names, OrtValue[] values, string[] outputs) => (_names, _values, _outputs) = (names, values, outputs);

        public static Feed For(InferenceSession session, int batch)
        {
            var random = new Random(7);
            var values = session.InputNames.Select(name =>
            {
                var metadata = session.InputMetadata[name];
                if (metadata.ElementDataType != TensorElementType.Float)
                    throw new InvalidOperationException($"input '{name}' is {metadata.ElementDataType}; the latency bench feeds float tensors only");
                // A symbolic leading axis is the batch; any other symbolic axis is taken as 1.
                var shape = metadata.Dimensions.Select((d, axis) => d >= 0 ? d : axis == 0 ? batch : 1L).ToArray();
                var data = new float[shape.Aggregate(1L, (a, b) => a * b)];
                for (var i = 0; i < data.Length; i++) data[i] = (float)((random.NextDouble() * 2) - 1);
                return OrtValue.CreateTensorValueFromMemory(data, shape);
            }).ToArray();
            return new Feed([.. session.InputNames], values, [.. session.OutputNames]);
        }

        /// <summary>One run, timed around the engine call alone; milliseconds.</summary>
        public double RunOnce(InferenceSession session)
        {
            var start = Stopwatch.GetTimestamp();
            using var outputs = OnnxRuntimeSessions.Run(session, _names, _values, _outputs);
            return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        public void Dispose()
        {
            foreach (var value in _values) value.Dispose();
        }
    }
}
