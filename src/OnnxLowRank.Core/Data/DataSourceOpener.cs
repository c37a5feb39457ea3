using OnnxLowRank.Core.Execution;

namespace OnnxLowRank.Core.Data;

/// <summary>
/// Picks the data source for a --data argument: "random", a folder of .pb tensors, an .npy/.npz
/// file, text (a .txt file or a folder of them, one sample a line, with a tokenizer), or an IDX images file
/// (gzipped or not, recognised by its magic number).
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
            return new RandomDataSource(inputs, options.Dimensions, options.Slice, options.Seed, options.TableRows);
        }
        if (TextDataSource.IsText(data))
        {
            if (options.LabelsPath is not null)
                throw new InvalidInputDataException("Labels are not read for text data.", options.LabelsPath, advice: "drop --labels");
            if (options.TokenizerPath is null)
                throw new InvalidInputDataException("Text data needs the model's tokenizer.", data,
                    advice: "give --tokenizer vocab.txt (WordPiece) or --tokenizer vocab.json --merges merges.txt (BPE)");
            var tokenizer = TokenizerFile.Load(options.TokenizerPath, options.MergesPath);
            return new TextDataSource(inputs, data, tokenizer, options.MaxTokens, options.Slice, options.TableRows);
        }
        if (Directory.Exists(data))
        {
            if (options.LabelsPath is not null)
                throw new InvalidInputDataException("Labels are not read for a folder of .pb tensors.", options.LabelsPath, advice: "drop --labels");
            return new TensorProtoFolderSource(inputs, data, options.Slice);
        }
        if (!File.Exists(data))
            throw new InvalidInputDataException("The data file does not exist.", data, advice: $"give an IDX, .npy, .npz or .txt file, a folder of .pb tensors or .txt files, or '{RandomKeyword}'");
        if (data.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) || data.EndsWith(".npz", StringComparison.OrdinalIgnoreCase))
            return new NumpyDataSource(inputs, data, options.LabelsPath, options.Slice);

        Span<byte> head = stackalloc byte[4];
        using (var stream = File.OpenRead(data))
            head = head[..stream.ReadAtLeast(head, 4, throwOnEndOfStream: false)];
        if (IdxFile.LooksLikeIdx(head))
            return new IdxImageSource(inputs, data, options.LabelsPath, options.Normalization, options.Slice);
        throw new InvalidInputDataException("The data format is not recognised.", data,
            advice: "give an IDX images file (.gz or not), an .npy, .npz or .txt file, a folder of .pb tensors, or 'random'");
    }
}
