using System.Buffers.Binary;
using System.IO.Compression;

namespace OnnxLowRank.Core.Data;

/// <summary>
/// An IDX file (the MNIST format): magic 00 00 TYPE RANK, RANK big-endian 32-bit sizes, then the
/// values. Only unsigned bytes (type 0x08) are read, which is what image and label files hold.
/// A gzip-compressed file is recognised by its own magic, whatever its name.
/// </summary>
public sealed class IdxFile
{
    private const byte UnsignedByteType = 0x08;

    private IdxFile(string path, int[] dimensions, byte[] values)
    {
        Path = path;
        Dimensions = dimensions;
        Values = values;
    }

    public string Path { get; }

    /// <summary>Sizes from the header; the first is the number of items.</summary>
    public int[] Dimensions { get; }

    /// <summary>All values in file order.</summary>
    public byte[] Values { get; }

    /// <summary>True when the stream starts like an IDX file or a gzip file (whose content is checked on reading).</summary>
    public static bool LooksLikeIdx(ReadOnlySpan<byte> head) =>
        head.Length >= 4 && ((head[0] == 0x1f && head[1] == 0x8b) || (head[0] == 0 && head[1] == 0 && head[3] is >= 1 and <= 4));

    public static IdxFile Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
            if (bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
            {
                using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                using var inflated = new MemoryStream();
                gzip.CopyTo(inflated);
                bytes = inflated.ToArray();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new InvalidInputDataException($"Cannot read the file: {e.Message}", path, inner: e);
        }

        if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0)
            throw new InvalidInputDataException("Not an IDX file (the first two bytes are not zero).", path, advice: "give an MNIST-format images or labels file, optionally gzipped");
        if (bytes[2] != UnsignedByteType)
            throw new InvalidInputDataException($"IDX element type 0x{bytes[2]:x2} is not supported; only unsigned bytes (0x08) are.", path);
        var rank = bytes[3];
        if (rank == 0 || bytes.Length < 4 + 4 * rank)
            throw new InvalidInputDataException($"IDX header is truncated or has rank {rank}.", path);
        var dims = new int[rank];
        long count = 1;
        for (var d = 0; d < rank; d++)
        {
            var size = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4 + 4 * d));
            if (size > int.MaxValue) throw new InvalidInputDataException($"IDX dimension {d} is {size}, too large.", path);
            dims[d] = (int)size;
            count *= size;
        }
        var header = 4 + 4 * rank;
        if (bytes.Length - header != count)
            throw new InvalidInputDataException(
                $"IDX header [{string.Join("x", dims)}] needs {count} bytes of data but the file holds {bytes.Length - header}.", path,
                advice: "the file is truncated or not the one meant");
        return new IdxFile(path, dims, bytes[header..]);
    }
}
