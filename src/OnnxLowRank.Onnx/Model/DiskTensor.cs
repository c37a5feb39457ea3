using System.Globalization;
using Google.Protobuf;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Onnx;

/// <summary>
/// A tensor whose bytes were left in their external data file at load (the model would not fit protobuf's
/// 2 GB limit inline). Load checks the reference and rewrites its location to the file's real, absolute
/// path; only then is an absolute location trusted, and saving always moves such bytes into the output's
/// own data file, so no written model carries one. Such a location survives cloning with the tensor.
/// </summary>
public static class DiskTensor
{
    /// <summary>Whether any tensor of <paramref name="model"/> still has its bytes on disk.</summary>
    public static bool AnyIn(ModelProto model) => ModelTensors.All(model).Any(site => Locate(site.Tensor) is not null);

    /// <summary>Total bytes of tensors the model keeps on disk.</summary>
    public static long BytesIn(ModelProto model) => ModelTensors.All(model).Sum(site => Locate(site.Tensor)?.Length ?? 0);

    /// <summary>Where the tensor's bytes are, or null when they are in memory or not yet checked.</summary>
    internal static (string Path, long Offset, long Length)? Locate(TensorProto tensor)
    {
        if (tensor.DataLocation != TensorProto.Types.DataLocation.External) return null;
        string? location = null;
        long offset = -1, length = -1;
        foreach (var entry in tensor.ExternalData)
        {
            switch (entry.Key)
            {
                case "location": location = entry.Value; break;
                case "offset": offset = long.TryParse(entry.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : -1; break;
                case "length": length = long.TryParse(entry.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : -1; break;
            }
        }
        return location is not null && Path.IsPathFullyQualified(location) && offset >= 0 && length >= 0 ? (location, offset, length) : null;
    }

    internal static void Point(TensorProto tensor, string realPath, long offset, long length)
    {
        tensor.ExternalData.Clear();
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = realPath });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(CultureInfo.InvariantCulture) });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.ToString(CultureInfo.InvariantCulture) });
    }

    /// <summary>The tensor's data file, positioned <paramref name="start"/> bytes into the tensor's data.</summary>
    internal static FileStream OpenAt((string Path, long Offset, long Length) where, long start)
    {
        var file = new FileStream(where.Path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        file.Position = where.Offset + start;
        return file;
    }

    /// <summary>Copies all of the tensor's bytes to <paramref name="output"/> through a small buffer.</summary>
    internal static void CopyTo((string Path, long Offset, long Length) where, Stream output)
    {
        using var file = OpenAt(where, 0);
        var buffer = new byte[1 << 20];
        for (var left = where.Length; left > 0;)
        {
            var part = buffer.AsSpan(0, (int)Math.Min(buffer.Length, left));
            file.ReadExactly(part);
            output.Write(part);
            left -= part.Length;
        }
    }
}
