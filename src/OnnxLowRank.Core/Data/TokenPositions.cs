using OnnxLowRank.Core.Execution;

namespace OnnxLowRank.Core.Data;

/// <summary>
/// The token ids of a batch fed to a token model and which positions hold real tokens (the attention mask; every
/// position when the model takes none), so outputs per token can be compared on real tokens only and a language
/// model's logits scored against the next id.
/// </summary>
public sealed class TokenPositions
{
    private TokenPositions(long[] ids, bool[] real, int batch, int sequence)
    {
        Ids = ids;
        Real = real;
        Batch = batch;
        Sequence = sequence;
    }

    /// <summary>Ids, row-major [batch, sequence].</summary>
    public long[] Ids { get; }

    /// <summary>Whether each position holds a real token rather than padding, row-major [batch, sequence].</summary>
    public bool[] Real { get; }

    public int Batch { get; }

    public int Sequence { get; }

    /// <summary>
    /// The token positions of a batch's inputs, or null when no input carries token ids of shape [batch, sequence]. Real
    /// tokens are those the attention mask input marks, else the first <paramref name="lengths"/> of each sample (text
    /// fed to a model without a mask), else every position.
    /// </summary>
    public static TokenPositions? Of(IReadOnlyDictionary<string, TensorData> inputs, IReadOnlyList<int>? lengths = null)
    {
        var ids = inputs.FirstOrDefault(i => TokenInputs.RoleOf(i.Key) == TokenInputRole.Ids && IsTokenMatrix(i.Value)).Value;
        if (ids is null) return null;
        var mask = inputs.FirstOrDefault(i => TokenInputs.RoleOf(i.Key) == TokenInputRole.AttentionMask && i.Value.Shape.SequenceEqual(ids.Shape)).Value;
        var idValues = Integers(ids);
        var (batch, sequence) = ((int)ids.Shape[0], (int)ids.Shape[1]);
        var real = mask is not null ? Integers(mask).Select(m => m != 0).ToArray()
            : lengths is not null && lengths.Count == batch ? Enumerable.Range(0, batch * sequence).Select(p => p % sequence < lengths[p / sequence]).ToArray()
            : Enumerable.Repeat(true, idValues.Length).ToArray();
        return new TokenPositions(idValues, real, batch, sequence);
    }

    /// <summary>Whether <paramref name="output"/> holds one vector per token of this batch: [batch, sequence, width].</summary>
    public bool IsPerToken(TensorData output) =>
        output.Shape.Length == 3 && output.Shape[0] == Batch && output.Shape[1] == Sequence && output.Shape[2] > 0;

    private static bool IsTokenMatrix(TensorData tensor) =>
        tensor.Shape.Length == 2 && tensor.Values is long[] or int[];

    private static long[] Integers(TensorData tensor) => tensor.Values switch
    {
        long[] values => values,
        int[] values => values.Select(v => (long)v).ToArray(),
        _ => tensor.ToDoubles().Select(v => (long)v).ToArray(),
    };
}
