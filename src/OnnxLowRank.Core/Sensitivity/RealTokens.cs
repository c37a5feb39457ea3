using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.Execution;

namespace OnnxLowRank.Core.Sensitivity;

/// <summary>
/// Which positions of a token model's batch hold real tokens: the attention mask input where there is one, else each text's
/// token length, else all. Validation's token positions sit above this folder (Validation uses Pipeline's results), so the
/// few lines that find the mask are here again.
/// </summary>
internal sealed class RealTokens(bool[] real, int batch, int sequence)
{
    /// <summary>Row-major [batch, sequence].</summary>
    public bool[] Real { get; } = real;

    public int Batch { get; } = batch;

    public int Sequence { get; } = sequence;

    /// <summary>The real tokens of a batch, or null when no input carries token ids of shape [batch, sequence].</summary>
    public static RealTokens? Of(DataBatch batch)
    {
        var ids = batch.Inputs.FirstOrDefault(i => TokenInputs.RoleOf(i.Key) == TokenInputRole.Ids && i.Value.Shape.Length == 2 && i.Value.Values is long[] or int[]).Value;
        if (ids is null) return null;
        var (rows, sequence) = ((int)ids.Shape[0], (int)ids.Shape[1]);
        var mask = batch.Inputs.FirstOrDefault(i => TokenInputs.RoleOf(i.Key) == TokenInputRole.AttentionMask && i.Value.Shape.SequenceEqual(ids.Shape)).Value;
        var real = mask is not null ? mask.ToDoubles().Select(m => m != 0).ToArray()
            : batch.TokenLengths is { } lengths && lengths.Length == rows ? Enumerable.Range(0, rows * sequence).Select(p => p % sequence < lengths[p / sequence]).ToArray()
            : Enumerable.Repeat(true, rows * sequence).ToArray();
        return new RealTokens(real, rows, sequence);
    }

    /// <summary>Whether <paramref name="output"/> holds one vector per token of this batch: [batch, sequence, width].</summary>
    public bool IsPerToken(TensorData output) => output.Shape.Length == 3 && output.Shape[0] == Batch && output.Shape[1] == Sequence && output.Shape[2] > 0;
}
