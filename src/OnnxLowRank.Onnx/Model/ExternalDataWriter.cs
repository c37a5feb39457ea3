using System.Globalization;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Onnx;

/// <summary>
/// Moves initializers' raw_data, and every tensor's bytes still on disk (<see cref="DiskTensor"/>), into one side file at 4096-byte aligned offsets (so runtimes can
/// memory-map them) and leaves location/offset/length references in their place.
/// </summary>
internal static class ExternalDataWriter
{
    public const int Alignment = 4096;

    /// <summary>
    /// Rewrites <paramref name="model"/> (a copy the caller owns), appending the moved bytes to
    /// <paramref name="data"/> (empty, positioned at 0) and pointing each tensor at <paramref name="location"/>.
    /// </summary>
    public static void Externalize(ModelProto model, Stream data, string location, long thresholdBytes)
    {
        foreach (var site in ModelTensors.All(model))
        {
            var tensor = site.Tensor;
            // Bytes left on disk at load are copied over whatever the tensor is: no written model may point at them.
            var onDisk = DiskTensor.Locate(tensor);
            if (onDisk is null && (!site.IsInitializer || !tensor.HasRawData || tensor.RawData.Length < thresholdBytes)) continue;

            var offset = (data.Position + Alignment - 1) / Alignment * Alignment;
            data.Write(new byte[offset - data.Position]);
            if (onDisk is { } where) DiskTensor.CopyTo(where, data);
            else data.Write(tensor.RawData.Span);

            tensor.ClearRawData();
            tensor.DataLocation = TensorProto.Types.DataLocation.External;
            tensor.ExternalData.Clear();
            tensor.ExternalData.Add(Entry("location", location));
            tensor.ExternalData.Add(Entry("offset", offset.ToString(CultureInfo.InvariantCulture)));
            tensor.ExternalData.Add(Entry("length", (data.Position - offset).ToString(CultureInfo.InvariantCulture)));
        }
    }

    private static StringStringEntryProto Entry(string key, string value) => new() { Key = key, Value = value };
}
