using System.Runtime.InteropServices;
using System.Security.Cryptography;
using OnnxLowRank.Core.Execution;

namespace OnnxLowRank.Core.Data;

/// <summary>
/// A digest of every sample of a source: its input tensors (names, element types, shapes and values), read one sample
/// per batch so that a text's padding depends on the text alone, not on the texts batched with it. Two sources read
/// with the same decoding (normalisation, tokenizer) give equal digests exactly for equal samples, whatever the files,
/// offsets or order they come from.
/// </summary>
public static class SampleFingerprints
{
    /// <summary>One SHA-256 digest (its first 16 bytes) per sample, in the source's order.</summary>
    public static IReadOnlyList<UInt128> Of(IDataSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var digests = new List<UInt128>(source.Count);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var batch in source.ReadBatches(1))
        {
            foreach (var (name, tensor) in batch.Inputs.OrderBy(i => i.Key, StringComparer.Ordinal))
            {
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes(name));
                hash.AppendData(BitConverter.GetBytes((int)tensor.ElementType));
                hash.AppendData(MemoryMarshal.AsBytes(tensor.Shape.AsSpan()));
                hash.AppendData(Bytes(tensor));
            }
            var digest = hash.GetHashAndReset();
            digests.Add(MemoryMarshal.Read<UInt128>(digest));
        }
        return digests;
    }

    private static ReadOnlySpan<byte> Bytes(TensorData tensor) => tensor.Values switch
    {
        float[] f => MemoryMarshal.AsBytes(f.AsSpan()),
        double[] d => MemoryMarshal.AsBytes(d.AsSpan()),
        Half[] h => MemoryMarshal.AsBytes(h.AsSpan()),
        long[] l => MemoryMarshal.AsBytes(l.AsSpan()),
        int[] i => MemoryMarshal.AsBytes(i.AsSpan()),
        byte[] b => b,
        bool[] b => MemoryMarshal.AsBytes(b.AsSpan()),
        _ => throw new InvalidOperationException($"Tensor holds {tensor.ElementType}, which has no fingerprint."),
    };
}
