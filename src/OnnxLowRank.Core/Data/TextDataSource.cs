using OnnxLowRank.Core.Execution;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Data;

/// <summary>
/// Text for a token model: a UTF-8 file with one sample a line, or a folder of .txt files read in name order; blank
/// lines are skipped. Each line is tokenized, cut to the maximum token count and padded to the longest sample of its
/// batch (or to the model's fixed sequence length). The model's integer inputs are bound by name (see
/// <see cref="TokenInputs"/>): ids, an attention mask (1 for tokens, 0 for padding), token type ids (zeros) and
/// position ids (0..n-1).
/// </summary>
public sealed class TextDataSource : IDataSource
{
    public const int DefaultMaxTokens = 128;

    private readonly IReadOnlyList<ValueDescriptor> _inputs;
    private readonly Dictionary<string, TokenInputRole> _roles = new(StringComparer.Ordinal);
    private readonly TokenizerFile _tokenizer;
    private readonly List<string> _lines;
    private readonly string _path;
    private readonly int _maxTokens;
    private readonly long? _fixedLength;
    private readonly bool _stackable;

    /// <param name="tableRows">Rows of the embedding tables the model's inputs index (<see cref="TokenEmbeddings"/>), to check the vocabulary against.</param>
    public TextDataSource(IReadOnlyList<ValueDescriptor> inputs, string path, TokenizerFile tokenizer, int maxTokens, DataSlice slice,
        IReadOnlyDictionary<string, long>? tableRows = null)
    {
        if (maxTokens < 1)
            throw new InvalidInputDataException($"The maximum token count {maxTokens} is below 1.", path, advice: "give --max-tokens 1 or more");
        _inputs = inputs;
        _tokenizer = tokenizer;
        _path = path;
        foreach (var input in inputs)
        {
            var role = TokenInputs.RoleOf(input.Name);
            if (role == TokenInputRole.None && inputs.Count == 1) role = TokenInputRole.Ids;
            if (role == TokenInputRole.None)
                throw new InvalidInputDataException($"Text cannot fill input '{input.Name}': it is none of input_ids, attention_mask, token_type_ids or position_ids.",
                    path, input.Name, advice: "give the inputs as tensors (.npz or .pb) instead");
            if (input.ElementType is not (DataType.Int64 or DataType.Int32))
                throw new InvalidInputDataException($"Input '{input.Name}' takes {input.ElementType}; text fills int64 or int32 inputs only.", path, input.Name,
                    advice: "give the inputs as tensors (.npz or .pb) instead");
            if (input.Shape.Length != 2)
                throw new InvalidInputDataException($"Input '{input.Name}' has {input.Shape.Length} dimensions; text fills [batch, tokens] inputs.", path, input.Name,
                    advice: "give the inputs as tensors (.npz or .pb) instead");
            _roles[input.Name] = role;
        }
        var ids = inputs.FirstOrDefault(i => _roles[i.Name] == TokenInputRole.Ids)
            ?? throw new InvalidInputDataException("The model has no token ids input (input_ids) for text to fill.", path,
                advice: "give the inputs as tensors (.npz or .pb) instead");
        if (tableRows is not null && tableRows.TryGetValue(ids.Name, out var rows) && tokenizer.VocabularySize > rows)
            throw new InvalidInputDataException(
                $"The tokenizer's vocabulary ({tokenizer.VocabularySize} tokens) is larger than the model's embedding table ({rows} rows) for '{ids.Name}'.",
                tokenizer.Path, ids.Name, advice: "give the tokenizer the model was trained with");
        _fixedLength = inputs.Select(i => i.Shape[1]).FirstOrDefault(d => d is not null);
        _maxTokens = _fixedLength is { } fixedLength ? (int)Math.Min(maxTokens, fixedLength) : maxTokens;
        if (_fixedLength is { } length && length < tokenizer.SpecialTokenCount + 1)
            throw new InvalidInputDataException($"The model takes {length} tokens, too few for a sample.", path, ids.Name);
        if (inputs.Any(i => i.Shape[0] is { } b && b != 1))
            throw new InvalidInputDataException($"The model's batch axis is fixed at {inputs.First(i => i.Shape[0] is not null).Shape[0]}; text fills a batch of 1 or a symbolic one.", path);
        _stackable = inputs.All(i => i.Shape[0] is null);

        var all = ReadLines(path);
        if (all.Count == 0)
            throw new InvalidInputDataException("The text holds no sample: every line is empty.", path, advice: "give one sample a line");
        var (start, count) = slice.Apply(all.Count, path);
        _lines = all.GetRange(start, count);
    }

    public string Description => System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(_path));

    public int Count => _lines.Count;

    public bool HasLabels => false;

    /// <summary>Whether <paramref name="path"/> is text: a .txt file, or a folder with .txt files and no .pb tensors.</summary>
    public static bool IsText(string path)
    {
        if (File.Exists(path)) return path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase);
        return Directory.Exists(path)
            && Directory.EnumerateFiles(path, "*.txt").Any()
            && !Directory.EnumerateFiles(path, "*.pb").Any()
            && !Directory.EnumerateDirectories(path, "test_data_set_*").Any();
    }

    /// <summary>The non-blank lines of a text file, or of a folder's .txt files in ordinal name order.</summary>
    public static List<string> ReadLines(string path)
    {
        var files = Directory.Exists(path)
            ? Directory.GetFiles(path, "*.txt").Order(StringComparer.Ordinal).ToList()
            : [path];
        return files.SelectMany(File.ReadLines).Where(l => !string.IsNullOrWhiteSpace(l)).ToList();
    }

    public IEnumerable<DataBatch> ReadBatches(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var perRun = _stackable ? batchSize : 1;
        for (var start = 0; start < Count; start += perRun)
        {
            var count = Math.Min(perRun, Count - start);
            var samples = _lines.GetRange(start, count).Select(l => _tokenizer.Encode(l, _maxTokens)).ToList();
            var length = (int)(_fixedLength ?? samples.Max(s => s.Length));
            var inputs = new Dictionary<string, TensorData>(StringComparer.Ordinal);
            foreach (var input in _inputs)
            {
                var values = new long[count * length];
                for (var s = 0; s < count; s++)
                {
                    var sample = samples[s];
                    for (var t = 0; t < length; t++)
                    {
                        values[(s * length) + t] = _roles[input.Name] switch
                        {
                            TokenInputRole.Ids => t < sample.Length ? sample[t] : _tokenizer.PaddingId,
                            TokenInputRole.AttentionMask => t < sample.Length ? 1 : 0,
                            TokenInputRole.Positions => t,
                            _ => 0,
                        };
                    }
                }
                long[] shape = [count, length];
                inputs[input.Name] = input.ElementType == DataType.Int32
                    ? new TensorData(DataType.Int32, shape, values.Select(v => (int)v).ToArray())
                    : new TensorData(DataType.Int64, shape, values);
            }
            yield return new DataBatch(inputs, count, null, samples.Select(s => Math.Min(s.Length, length)).ToArray());
        }
    }
}
