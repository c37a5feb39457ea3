using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Sensitivity;

/// <summary>
/// The values suffixes read, computed once by the original model over the subset and held per batch: each suffix then runs from
/// them instead of from the model's inputs. All layers' values are read in one run when they fit
/// <see cref="SensitivityOptions.CacheBytes"/>; otherwise the layers go in groups, in graph order, one run of the whole model each.
/// Measured on the reference CNN (16 layers, 128 samples, tools/SensitivityBenchmark): all suffix inputs take 114 MiB and one run of the
/// whole model; a run per layer holds at most 25 MiB but runs the whole model 16 times, and the measurement took 2.7 s more CPU
/// time (32.7 s against 30.0 s). Memory is the scarcer of the two only on large models, so layers share runs while their inputs fit the cap.
/// </summary>
internal static class SuffixInputs
{
    /// <summary>Bytes one sample of each value takes, from one batch run with all of them exposed.</summary>
    public static IReadOnlyDictionary<string, long> BytesPerSample(IModelRunner runner, ModelProto model, IReadOnlyCollection<string> values, DataBatch batch, IDataSource source)
    {
        using var probe = ModelProbe.Open(runner, model, values);
        var run = UnsizedDataRun.Run(source, () => probe.Run(batch.Inputs));
        return run.ToDictionary(p => p.Key, p => p.Value.ElementCount * ElementBytes(p.Value) / Math.Max(1, batch.Count));
    }

    /// <summary>Runs the original model on every batch and returns, per batch, the values asked for.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, TensorData>> Collect(
        IModelRunner runner, ModelProto model, IReadOnlyCollection<string> values, IReadOnlyList<DataBatch> batches, IDataSource source)
    {
        using var probe = ModelProbe.Open(runner, model, values);
        return batches.Select(b => UnsizedDataRun.Run(source, () => probe.Run(b.Inputs))).ToList();
    }

    /// <summary>Splits layers (each with the values it reads), in order, into groups whose values over <paramref name="samples"/> fit <paramref name="cap"/>; a layer too large alone is a group of its own.</summary>
    public static IReadOnlyList<IReadOnlyList<T>> Groups<T>(IReadOnlyList<T> layers, Func<T, IEnumerable<string>> valuesOf, IReadOnlyDictionary<string, long> bytesPerSample, int samples, long cap)
    {
        var groups = new List<IReadOnlyList<T>>();
        var current = new List<T>();
        var held = new HashSet<string>();
        long bytes = 0;
        foreach (var layer in layers)
        {
            var added = valuesOf(layer).Where(v => !held.Contains(v)).Distinct().ToList();
            var more = added.Sum(v => bytesPerSample[v]) * samples;
            if (current.Count > 0 && bytes + more > cap)
            {
                groups.Add(current);
                current = [];
                held.Clear();
                bytes = 0;
                added = valuesOf(layer).Distinct().ToList();
                more = added.Sum(v => bytesPerSample[v]) * samples;
            }
            current.Add(layer);
            held.UnionWith(added);
            bytes += more;
        }
        if (current.Count > 0) groups.Add(current);
        return groups;
    }

    private static long ElementBytes(TensorData tensor) => tensor.Values switch
    {
        double[] or long[] => 8,
        float[] or int[] => 4,
        Half[] => 2,
        _ => 1,
    };
}
