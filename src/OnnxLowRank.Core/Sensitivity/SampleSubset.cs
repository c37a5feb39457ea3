using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.Execution;

namespace OnnxLowRank.Core.Sensitivity;

/// <summary>The first samples of a source, in batches held in memory: every layer and size is measured on the same ones.</summary>
internal static class SampleSubset
{
    /// <summary>The first <paramref name="samples"/> of <paramref name="source"/> (all of it when it holds fewer), at most <paramref name="batchSize"/> per batch.</summary>
    public static IReadOnlyList<DataBatch> Read(IDataSource source, int samples, int batchSize)
    {
        var batches = new List<DataBatch>();
        var left = samples;
        foreach (var batch in source.ReadBatches(Math.Min(batchSize, samples)))
        {
            if (left <= 0) break;
            batches.Add(batch.Count <= left ? batch : First(batch, left));
            left -= batches[^1].Count;
        }
        return batches;
    }

    /// <summary>The batch's first <paramref name="count"/> samples: a prefix along axis 0 of every input.</summary>
    private static DataBatch First(DataBatch batch, int count)
    {
        var inputs = batch.Inputs.ToDictionary(p => p.Key, p =>
        {
            var tensor = p.Value;
            var perSample = tensor.ElementCount / batch.Count;
            var values = Array.CreateInstance(tensor.Values.GetType().GetElementType()!, perSample * count);
            Array.Copy(tensor.Values, values, values.LongLength);
            return new TensorData(tensor.ElementType, [count, .. tensor.Shape[1..]], values);
        });
        return new DataBatch(inputs, count, batch.Labels?[..count], batch.TokenLengths?[..count]);
    }
}
