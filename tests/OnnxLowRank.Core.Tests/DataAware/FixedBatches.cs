using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.Execution;

namespace OnnxLowRank.Core.Tests.DataAware;

/// <summary>A data source over batches made in the test: each is one run of the model, with every input given.</summary>
internal sealed class FixedBatches(IReadOnlyList<IReadOnlyDictionary<string, TensorData>> batches) : IDataSource
{
    public string Description => "test batches";

    public int Count => batches.Sum(b => (int)b.Values.First().Shape[0]);

    public bool HasLabels => false;

    public IEnumerable<DataBatch> ReadBatches(int batchSize) =>
        batches.Select(b => new DataBatch(b, (int)b.Values.First().Shape[0], null));
}
