using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using OnnxLowRank.Core.Execution;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Data;

/// <summary>
/// Reads numpy's .npy format: the magic "\x93NUMPY", a version byte pair, a header length
/// (2 bytes little-endian in version 1, 4 bytes in versions 2 and 3), a Python dict literal
/// with 'descr', 'fortran_order' and 'shape', then the raw values. Little-endian (or
/// byte-sized) float32/64, float16, int64/32, uint8 and bool in C order are accepted.
/// </summary>
public static partial class NpyArray
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads one array; <paramref name="path"/> names the file (or npz entry) in messages.</summary>
    public static TensorData Read(Stream stream, string path)
    {
        var prefix = ReadExactly(stream, 8, path, "the magic and version");
        if (!prefix.AsSpan(0, 6).SequenceEqual(Magic))
            throw new InvalidInputDataException("Not an .npy file (no \\x93NUMPY magic).", path, advice: "write it with numpy.save");
        var major = prefix[6];
        int headerLength = major switch
        {
            1 => BitConverter.ToUInt16(ReadExactly(stream, 2, path, "the header length")),
            2 or 3 => checked((int)BitConverter.ToUInt32(ReadExactly(stream, 4, path, "the header length"))),
            _ => throw new InvalidInputDataException($".npy format version {major}.{prefix[7]} is not supported (1.0 to 3.0 are).", path),
        };
        var headerBytes = ReadExactly(stream, headerLength, path, "the header");
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);

        var descr = DescrPattern().Match(header);
        var fortran = FortranPattern().Match(header);
        var shapeMatch = ShapePattern().Match(header);
        if (!descr.Success || !fortran.Success || !shapeMatch.Success)
            throw new InvalidInputDataException($"The .npy header is malformed: {header.Trim()}", path);
        if (fortran.Groups[1].Value == "True")
            throw new InvalidInputDataException("The array is stored in Fortran order; only C order is read.", path,
                advice: "save numpy.ascontiguousarray(a) instead");

        var shape = shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => long.TryParse(s.TrimEnd('L'), out var d) && d >= 0 ? d : throw new InvalidInputDataException($"Bad .npy shape '{shapeMatch.Groups[1].Value}'.", path))
            .ToArray();
        var count = checked((int)shape.Aggregate(1L, (a, d) => checked(a * d)));
        var (type, itemSize) = ElementTypeOf(descr.Groups[1].Value, path);
        var data = ReadExactly(stream, checked(count * itemSize), path, $"{count} values of {descr.Groups[1].Value}");

        Array values = type switch
        {
            DataType.Float => MemoryMarshal.Cast<byte, float>(data).ToArray(),
            DataType.Double => MemoryMarshal.Cast<byte, double>(data).ToArray(),
            DataType.Float16 => MemoryMarshal.Cast<byte, Half>(data).ToArray(),
            DataType.Int64 => MemoryMarshal.Cast<byte, long>(data).ToArray(),
            DataType.Int32 => MemoryMarshal.Cast<byte, int>(data).ToArray(),
            DataType.Uint8 => data,
            DataType.Bool => Array.ConvertAll(data, b => b != 0),
            _ => throw new InvalidOperationException(),
        };
        return new TensorData(type, shape, values);
    }

    private static (DataType Type, int ItemSize) ElementTypeOf(string descr, string path)
    {
        // '=' is native order; the reinterpreting casts above assume that is little-endian.
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException(".npy reading assumes a little-endian machine.");
        var order = descr.Length > 0 ? descr[0] : ' ';
        var code = descr.Length > 1 ? descr[1..] : descr;
        if (order == '>' && code is not ("u1" or "b1" or "i1"))
            throw new InvalidInputDataException($"Element type '{descr}' is big-endian.", path, advice: "save it with a little-endian dtype, e.g. a.astype('<f4')");
        return code switch
        {
            "f4" => (DataType.Float, 4),
            "f8" => (DataType.Double, 8),
            "f2" => (DataType.Float16, 2),
            "i8" => (DataType.Int64, 8),
            "i4" => (DataType.Int32, 4),
            "u1" => (DataType.Uint8, 1),
            "b1" => (DataType.Bool, 1),
            _ => throw new InvalidInputDataException($"Element type '{descr}' is not supported.", path,
                advice: "use float32, float64, float16, int64, int32, uint8 or bool"),
        };
    }

    private static byte[] ReadExactly(Stream stream, int count, string path, string what)
    {
        var buffer = new byte[count];
        var read = stream.ReadAtLeast(buffer, count, throwOnEndOfStream: false);
        if (read < count)
            throw new InvalidInputDataException($"The file ends early: {what} needs {count} bytes, {read} remain.", path, advice: "the file is truncated");
        return buffer;
    }

    [GeneratedRegex(@"['""]descr['""]\s*:\s*['""]([^'""]*)['""]")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"['""]fortran_order['""]\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"['""]shape['""]\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
