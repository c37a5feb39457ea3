using System.Globalization;
using Google.Protobuf;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Onnx;

/// <summary>
/// Copies tensors' external data into raw_data, or checks it and leaves it on disk. Every location,
/// offset and length is checked against the real files before a byte is allocated, so a hostile model
/// cannot make us read outside its folder or allocate more than its data files hold.
/// </summary>
internal sealed class ExternalDataReader(string modelFolder, string? modelPath) : IDisposable
{
    private const string Advice = "re-export the model with its external data files next to it";

    private readonly string _realFolder = ContainedPath.RealFolder(modelFolder);
    private readonly Dictionary<string, FileStream> _openFiles = [];

    /// <summary>Replaces the external reference of <paramref name="tensor"/> by its bytes, found by <see cref="Check"/>.</summary>
    public void Inline(TensorProto tensor, (string RealPath, long Offset, long Length) where, string subject)
    {
        if (where.Length > Array.MaxLength)
        {
            throw new UnsupportedModelException(
                $"tensor holds {where.Length} bytes, more than one in-memory buffer can hold", modelPath, subject);
        }

        var file = _openFiles[where.RealPath];
        var bytes = GC.AllocateUninitializedArray<byte>((int)where.Length);
        file.Position = where.Offset;
        file.ReadExactly(bytes);
        tensor.RawData = UnsafeByteOperations.UnsafeWrap(bytes);
        tensor.ExternalData.Clear();
        tensor.ClearDataLocation();
    }

    /// <summary>The real path, offset and length of the tensor's bytes, every one checked against the file.</summary>
    public (string RealPath, long Offset, long Length) Check(TensorProto tensor, string subject)
    {
        string location = string.Empty, offsetText = string.Empty, lengthText = string.Empty;
        foreach (var entry in tensor.ExternalData)
        {
            switch (entry.Key)
            {
                case "location": location = entry.Value; break;
                case "offset": offsetText = entry.Value; break;
                case "length": lengthText = entry.Value; break;
            }
        }

        var realPath = ContainedPath.Resolve(_realFolder, location, modelPath, subject);
        var file = Open(realPath, location, subject);
        var fileLength = file.Length;
        var offset = offsetText.Length == 0 ? 0 : ParseNonNegative(offsetText, "offset", subject);
        if (offset > fileLength)
        {
            throw new InvalidModelException(
                $"external data offset {offset} is past the end of '{location}' ({fileLength} bytes)", modelPath, subject, Advice);
        }
        var length = lengthText.Length == 0 ? fileLength - offset : ParseNonNegative(lengthText, "length", subject);
        if (length > fileLength - offset)
        {
            throw new InvalidModelException(
                $"external data range {offset}+{length} runs past the end of '{location}' ({fileLength} bytes)", modelPath, subject, Advice);
        }
        var expected = ElementLayout.RawByteLength(tensor.DataType, TensorCodec.ElementCount(tensor, modelPath, subject));
        if (expected is long needed && needed != length)
        {
            throw new InvalidModelException(
                $"external data holds {length} bytes but dims {TensorCodec.Describe(tensor)} need {needed}", modelPath, subject, Advice);
        }
        return (realPath, offset, length);
    }

    public void Dispose()
    {
        foreach (var file in _openFiles.Values) file.Dispose();
        _openFiles.Clear();
    }

    private FileStream Open(string realPath, string location, string subject)
    {
        if (_openFiles.TryGetValue(realPath, out var open)) return open;
        if (!File.Exists(realPath))
        {
            throw new InvalidModelException($"external data file '{location}' does not exist", modelPath, subject, Advice);
        }
        try
        {
            var file = new FileStream(realPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            _openFiles.Add(realPath, file);
            return file;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidModelException($"external data file '{location}' cannot be read: {e.Message}", modelPath, subject, Advice, e);
        }
    }

    private long ParseNonNegative(string text, string key, string subject)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)) return value;
        throw new InvalidModelException(
            $"external data {key} '{text}' is not a non-negative integer", modelPath, subject, Advice);
    }
}
