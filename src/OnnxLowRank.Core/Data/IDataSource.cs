namespace OnnxLowRank.Core.Data;

/// <summary>
/// Inputs for a model, sample by sample, already cut to the requested offset and limit.
/// A sample is what fills one row of axis 0 of every model input.
/// </summary>
public interface IDataSource
{
    /// <summary>A short description for messages and reports, e.g. the file name.</summary>
    string Description { get; }

    /// <summary>Number of samples this source yields (after offset and limit).</summary>
    int Count { get; }

    bool HasLabels { get; }

    /// <summary>
    /// Yields the samples in order, at most <paramref name="batchSize"/> per batch. A source whose
    /// samples cannot be stacked (the model's batch axis is fixed) yields one sample per batch.
    /// </summary>
    IEnumerable<DataBatch> ReadBatches(int batchSize);

    /// <summary>
    /// Symbolic dimensions this source ran at 1 because no size was given (random data only; the other kinds
    /// take their sizes from the data): a run that fails on its batches is put to them (<see cref="UnsizedDataRun"/>).
    /// </summary>
    IReadOnlyList<string> UnsizedDimensions => [];
}
