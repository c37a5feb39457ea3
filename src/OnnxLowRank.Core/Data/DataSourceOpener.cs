using OnnxLowRank.Core.Execution;

namespace OnnxLowRank.Core.Data;

/// <summary>
/// Picks the data source for a --data argument: "random", a folder of .pb tensors, an .npy/.npz
/// file, or an IDX images file (gzipped or not, recognised by its magic number).
/// </summary>
public static class DataSourceOpener
{
    public const string RandomKeyword = "random";

    public static IDataSource Open(string data, IReadOnlyList<ValueDescriptor> inputs, DataSourceOptions options)
    {
        if (string.Equals(data, RandomKeyword, StringComparison.OrdinalIgnoreCase))
        {
            if (options.LabelsPath is not null)
                throw new InvalidInputDataException("Random data has no labels.", options.LabelsPath, advice: "drop --labels or give real data");
            return new RandomDataSource(inputs, ShapeBinding.Parse(options.Shapes), options.Slice, options.Seed);
        }
        if (Directory.Exists(data))
        {
            if (options.LabelsPath is not null)
                throw new InvalidInputDataException("Labels are not read for a folder of .pb tensors.", options.LabelsPath, advice: "drop --labels");
            return new TensorProtoFolderSource(inputs, data, options.Slice);
        }
        if (!File.Exists(data))
            throw new InvalidInputDataException("The data file does not exist.", data, advice: $"give an IDX, .npy or .npz file, a folder of .pb tensors, or '{RandomKeyword}'");
        if (data.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) || data.EndsWith(".npz", StringComparison.OrdinalIgnoreCase))
            return new NumpyDataSource(inputs, data, options.LabelsPath, options.Slice);

        Span<byte> head = stackalloc byte[4];
        using (var stream = File.OpenRead(data))
            head = head[..stream.ReadAtLeast(head, 4, throwOnEndOfStream: false)];
        if (IdxFile.LooksLikeIdx(head))
            return new IdxImageSource(inputs, data, options.LabelsPath, options.Normalization, options.Slice);
        throw new InvalidInputDataException("The data format is not recognised.", data,
            advice: "give an IDX images file (.gz or not), an .npy or .npz file, a folder of .pb tensors, or 'random'");
    }
}
