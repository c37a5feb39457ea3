using Google.Protobuf;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Onnx;

/// <summary>
/// Reads and writes .onnx files. Loaded models hold every tensor in memory (external data is
/// inlined and checked), except models past protobuf's 2 GB limit, whose external data is checked
/// and read on demand (<see cref="DiskTensor"/>).
/// </summary>
public static class OnnxModelFile
{
    /// <summary>Protobuf cannot serialize or parse a message of 2 GB or more.</summary>
    private const long ProtobufLimit = int.MaxValue;

    /// <summary>Enough for dozens of nested If/Loop bodies; stops stack exhaustion from hostile files.</summary>
    private const int RecursionLimit = 100;

    private const string CorruptAdvice = "the file is corrupt, truncated, or not an ONNX model";

    /// <summary>
    /// Loads a model, reading external data relative to the model's folder. External data is copied into
    /// memory unless the model would then reach protobuf's 2 GB limit (or <paramref name="options"/> set a
    /// lower bound); it then stays on disk, checked, and is read on demand (<see cref="DiskTensor"/>).
    /// </summary>
    public static ModelProto Load(string path, ModelLoadOptions? options = null)
    {
        var fullPath = Path.GetFullPath(path);
        var file = new FileInfo(fullPath);
        if (!file.Exists)
        {
            throw new InvalidModelException("model file does not exist", fullPath, advice: "check the path");
        }
        if (file.Length >= ProtobufLimit)
        {
            throw new InvalidModelException($"model file is {file.Length} bytes, over protobuf's 2 GB limit", fullPath,
                advice: "large weights must be stored as ONNX external data");
        }
        try
        {
            // Read through the stream's buffer, never whole: the file's bytes and the parsed model would otherwise both be alive at once.
            using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
            var keepOnDiskFrom = Math.Min((options ?? new ModelLoadOptions()).KeepExternalDataOnDiskFrom, ProtobufLimit - file.Length);
            return Parse(stream, Path.GetDirectoryName(fullPath), fullPath, keepOnDiskFrom);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidModelException($"model file cannot be read: {e.Message}", fullPath, inner: e);
        }
    }

    /// <summary>
    /// Parses a model; external data is read relative to <paramref name="baseDirectory"/>, and refused
    /// when none is given. <paramref name="sourcePath"/> only names the model in error messages.
    /// </summary>
    public static ModelProto Parse(byte[] bytes, string? baseDirectory = null, string? sourcePath = null)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return Parse(stream, baseDirectory, sourcePath, ProtobufLimit - bytes.Length);
    }

    /// <summary>
    /// Parses the model that fills <paramref name="stream"/> (seekable), after counting its messages. External data
    /// totalling <paramref name="keepOnDiskFrom"/> bytes or more stays on disk.
    /// </summary>
    private static ModelProto Parse(Stream stream, string? baseDirectory, string? sourcePath, long keepOnDiskFrom)
    {
        MessageCensus.Require(stream, RecursionLimit, sourcePath);
        ModelProto model;
        try
        {
            stream.Position = 0;
            var input = CodedInputStream.CreateWithLimits(stream, int.MaxValue, RecursionLimit);
            model = ModelProto.Parser.ParseFrom(input);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidModelException($"not a valid ONNX protobuf message: {e.Message}", sourcePath, advice: CorruptAdvice, inner: e);
        }
        if (model.Graph is null)
        {
            throw new InvalidModelException("model has no graph", sourcePath, advice: CorruptAdvice);
        }

        var sites = ModelTensors.All(model).ToList();
        ReadExternalData(sites, baseDirectory, sourcePath, keepOnDiskFrom);
        foreach (var site in sites) CheckRawLength(site, sourcePath);
        return model;
    }

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/>: inline when it fits protobuf's 2 GB
    /// limit and <paramref name="options"/> do not ask otherwise, else with large initializers in a
    /// side file next to it. The model passed in is never modified.
    /// </summary>
    public static void Save(ModelProto model, string path, ModelSaveOptions? options = null)
    {
        options ??= new ModelSaveOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.ExternalThresholdBytes, nameof(options));
        var fullPath = Path.GetFullPath(path);
        if (!options.UseExternalData && !DiskTensor.AnyIn(model) && SerializedSize(model) < ProtobufLimit)
        {
            WriteReplacing(fullPath, stream => model.WriteTo(stream));
            return;
        }

        var dataFileName = options.ExternalDataFileName ?? Path.GetFileName(fullPath) + ".data";
        if (dataFileName.Length == 0 || dataFileName != Path.GetFileName(dataFileName) || dataFileName is "." or ".."
            || dataFileName.Contains('\\') || string.Equals(dataFileName, Path.GetFileName(fullPath), StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"external data file name '{dataFileName}' must be a plain file name other than the model's", nameof(options));
        }

        var copy = model.Clone();
        var dataPath = Path.Combine(Path.GetDirectoryName(fullPath)!, dataFileName);
        WriteReplacing(dataPath, stream =>
        {
            ExternalDataWriter.Externalize(copy, stream, dataFileName, options.ExternalThresholdBytes);
            // Checked before the side file replaces an existing one, so a refused save changes nothing.
            if (SerializedSize(copy) >= ProtobufLimit)
            {
                throw new UnsupportedModelException("model is over protobuf's 2 GB limit even with its initializers in external data",
                    fullPath, advice: "large constants in node attributes or typed fields cannot be moved out; store them as raw_data initializers");
            }
        });
        WriteReplacing(fullPath, stream => copy.WriteTo(stream));
    }

    /// <summary>The model serialized inline; <see cref="UnsupportedModelException"/> when that would reach 2 GB.</summary>
    public static byte[] ToBytes(ModelProto model)
    {
        if (DiskTensor.AnyIn(model))
        {
            throw new UnsupportedModelException("model keeps weights in its external data file and cannot be serialized inline",
                advice: "save it with OnnxModelFile.Save, which writes them to the output's own data file");
        }
        if (SerializedSize(model) >= ProtobufLimit)
        {
            throw new UnsupportedModelException("model is over protobuf's 2 GB limit and cannot be serialized inline",
                advice: "save it with OnnxModelFile.Save, which moves large weights to an external data file");
        }
        return model.ToByteArray();
    }

    private static void ReadExternalData(List<TensorSite> sites, string? baseDirectory, string? sourcePath, long keepOnDiskFrom)
    {
        var external = sites.Where(s => s.Tensor.DataLocation == TensorProto.Types.DataLocation.External).ToList();
        if (external.Count == 0) return;
        if (baseDirectory is null)
        {
            throw new InvalidModelException("tensor data is in an external file but the model was parsed without its folder",
                sourcePath, external[0].Subject, "load the model from its file, or pass the folder holding its data files");
        }
        using var reader = new ExternalDataReader(baseDirectory, sourcePath);
        // Every reference is checked first; only then is the total known that decides where the bytes live.
        var checkedSites = external.Select(site => (site, Where: reader.Check(site.Tensor, site.Subject))).ToList();
        var keep = checkedSites.Sum(c => c.Where.Length) >= keepOnDiskFrom;
        foreach (var (site, where) in checkedSites)
        {
            if (keep) DiskTensor.Point(site.Tensor, where.RealPath, where.Offset, where.Length);
            else reader.Inline(site.Tensor, where, site.Subject);
        }
    }

    private static void CheckRawLength(TensorSite site, string? sourcePath)
    {
        var tensor = site.Tensor;
        var count = TensorCodec.ElementCount(tensor, sourcePath, site.Subject);
        if (!tensor.HasRawData) return;
        var expected = ElementLayout.RawByteLength(tensor.DataType, count);
        if (expected is long needed && needed != tensor.RawData.Length)
        {
            throw new InvalidModelException(
                $"raw_data holds {tensor.RawData.Length} bytes but dims {TensorCodec.Describe(tensor)} of {(TensorProto.Types.DataType)tensor.DataType} need {needed}",
                sourcePath, site.Subject, "the file is corrupt or was written by a faulty exporter");
        }
    }

    /// <summary>
    /// Serialized size, or long.MaxValue when it cannot fit: a cheap upper bound on the tensor
    /// payload guards protobuf's int size arithmetic, which would silently overflow past 2 GB.
    /// </summary>
    private static long SerializedSize(ModelProto model)
    {
        long payload = 0;
        foreach (var site in ModelTensors.All(model))
        {
            var t = site.Tensor;
            payload += t.RawData.Length + 4L * t.FloatData.Count + 8L * t.DoubleData.Count
                + 10L * (t.Int32Data.Count + (long)t.Int64Data.Count + t.Uint64Data.Count)
                + t.StringData.Sum(s => (long)s.Length);
        }
        if (payload >= ProtobufLimit) return long.MaxValue;
        var size = model.CalculateSize();
        return size < 0 ? long.MaxValue : size;
    }

    /// <summary>Writes beside the target and renames, so a failed save never leaves a half-written file.</summary>
    private static void WriteReplacing(string path, Action<Stream> write)
    {
        var partial = path + ".partial";
        try
        {
            using (var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(stream);
            }
            File.Move(partial, path, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }
}
