using OnnxLowRank.Core.Execution;

namespace OnnxLowRank.Core.Data;

/// <summary>
/// A source read one sample at a time and stacked into batches along axis 0. Samples are
/// stacked only when every model input has a symbolic batch axis; otherwise each run gets one.
/// </summary>
public abstract class SampleDataSource : IDataSource
{
    protected SampleDataSource(IReadOnlyList<ValueDescriptor> inputs)
    {
        Inputs = inputs;
        _symbolicBatchAxis = inputs.Count > 0 && inputs.All(i => i.Shape.Length > 0 && i.Shape[0] is null);
    }

    public abstract string Description { get; }

    public abstract int Count { get; }

    public abstract bool HasLabels { get; }

    public virtual IReadOnlyList<string> UnsizedDimensions => [];

    /// <summary>The model inputs this source feeds, in model order.</summary>
    protected IReadOnlyList<ValueDescriptor> Inputs { get; }

    private readonly bool _symbolicBatchAxis;

    /// <summary>Whether samples can share a run: by default, when every input's batch axis is symbolic.</summary>
    protected virtual bool Stackable => _symbolicBatchAxis;

    /// <summary>Sample <paramref name="index"/> (0-based within the slice): a tensor per input and its label, if any.</summary>
    protected abstract (IReadOnlyDictionary<string, TensorData> Inputs, int? Label) ReadSample(int index);

    public IEnumerable<DataBatch> ReadBatches(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var perRun = Stackable ? batchSize : 1;
        for (var start = 0; start < Count; start += perRun)
        {
            var count = Math.Min(perRun, Count - start);
            var samples = Enumerable.Range(start, count).Select(ReadSample).ToList();
            var inputs = Inputs.ToDictionary(
                i => i.Name,
                i => TensorStacking.Concatenate(samples.Select(s => s.Inputs[i.Name]).ToList()),
                StringComparer.Ordinal);
            var labels = HasLabels ? samples.Select(s => s.Label ?? throw new InvalidOperationException("A labelled source returned a sample without a label.")).ToArray() : null;
            yield return new DataBatch(inputs, count, labels);
        }
    }

    /// <summary>
    /// The shape of one sample of <paramref name="input"/> holding <paramref name="elements"/> values:
    /// the declared shape with the batch axis 1 and, when exactly one other dimension is symbolic,
    /// that dimension inferred from the element count. Null when it cannot be determined.
    /// </summary>
    protected static long[]? SampleShape(ValueDescriptor input, long elements)
    {
        if (input.Shape.Length == 0) return elements == 1 ? [] : null;
        if (input.Shape[0] is { } batch && batch != 1) return null;
        var shape = new long[input.Shape.Length];
        shape[0] = 1;
        var unknownAt = -1;
        long known = 1;
        for (var d = 1; d < shape.Length; d++)
        {
            if (input.Shape[d] is { } size) { shape[d] = size; known *= size; }
            else if (unknownAt < 0) unknownAt = d;
            else return null;
        }
        if (unknownAt < 0) return known == elements ? shape : null;
        if (known == 0 || elements % known != 0) return null;
        shape[unknownAt] = elements / known;
        return shape;
    }
}
