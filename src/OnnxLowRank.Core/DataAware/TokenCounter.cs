using OnnxLowRank.Core.Execution;

namespace OnnxLowRank.Core.DataAware;

/// <summary>
/// Counts the rows an embedding Gather looks up, batch by batch, leaving out the positions the attention mask marks as
/// padding (when the ids have the mask's shape): padding is looked up but its outputs are ignored downstream, and
/// batches padded to their longest line would otherwise weigh the padding row above every word.
/// </summary>
internal sealed class TokenCounter(int rows)
{
    private readonly long[] _counts = new long[rows];

    public void Add(TensorData ids, TensorData? mask)
    {
        var values = ids.ToDoubles();
        var keep = mask is not null && mask.Shape.SequenceEqual(ids.Shape) ? mask.ToDoubles() : null;
        for (var i = 0; i < values.Length; i++)
        {
            if (keep is not null && keep[i] == 0) continue;
            // Gather takes a negative index from the end; an index outside the table is the engine's error, not a lookup.
            var row = (long)values[i];
            if (row < 0) row += rows;
            if (row >= 0 && row < rows) _counts[row]++;
        }
    }

    public TokenFrequencies Result() => new(_counts);
}
