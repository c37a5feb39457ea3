using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace OnnxLowRank.Core.Data;

/// <summary>
/// A tokenizer read from its files through Microsoft.ML.Tokenizers: a WordPiece <c>vocab.txt</c> (one token a line,
/// the id its line number; a BERT tokenizer, lower-casing when the vocabulary holds no upper-case token, when it has
/// [CLS], [SEP], [PAD], [UNK] and [MASK], else plain WordPiece, with [CLS] and [SEP] around each sample when it has them) or a BPE <c>vocab.json</c> with its <c>merges.txt</c> (by default the one beside it).
/// </summary>
public sealed class TokenizerFile
{
    private readonly Tokenizer _tokenizer;
    private readonly int? _first;
    private readonly int? _last;

    private TokenizerFile(string path, Tokenizer tokenizer, int vocabularySize, int paddingId, int? first, int? last)
    {
        Path = path;
        _tokenizer = tokenizer;
        VocabularySize = vocabularySize;
        PaddingId = paddingId;
        _first = first;
        _last = last;
    }

    public string Path { get; }

    /// <summary>One past the largest id the tokenizer can produce.</summary>
    public int VocabularySize { get; }

    public int PaddingId { get; }

    /// <summary>Tokens added around every sample ([CLS] and [SEP] for BERT vocabularies).</summary>
    public int SpecialTokenCount => (_first is null ? 0 : 1) + (_last is null ? 0 : 1);

    public static TokenizerFile Load(string path, string? mergesPath = null)
    {
        if (!File.Exists(path))
            throw new InvalidInputDataException("The tokenizer file does not exist.", path, advice: "give a WordPiece vocab.txt or a BPE vocab.json with --tokenizer");
        try
        {
            if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) return LoadBpe(path, mergesPath);
            if (mergesPath is not null)
                throw new InvalidInputDataException("Merges belong to a BPE vocab.json, not to this vocabulary.", mergesPath, advice: "drop --merges, or give a vocab.json with --tokenizer");
            return LoadWordPiece(path);
        }
        catch (Exception e) when (e is not InvalidInputDataException and not OutOfMemoryException)
        {
            throw new InvalidInputDataException($"The tokenizer could not be read: {e.Message}", path,
                advice: "give a WordPiece vocab.txt, or a BPE vocab.json with --merges merges.txt", inner: e);
        }
    }

    private static TokenizerFile LoadWordPiece(string path)
    {
        var tokens = File.ReadLines(path).ToList();
        if (tokens.All(string.IsNullOrWhiteSpace))
            throw new InvalidInputDataException("The vocabulary is empty.", path, advice: "give a vocab.txt with one token a line");
        int IdOf(string token) => tokens.IndexOf(token);
        var pad = Math.Max(0, IdOf("[PAD]"));
        int? cls = IdOf("[CLS]") is >= 0 and var c ? c : null, sep = IdOf("[SEP]") is >= 0 and var e ? e : null;
        // BertTokenizer wants all five of its special tokens; with fewer, plain WordPiece and [CLS]/[SEP] added here.
        if (new[] { "[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]" }.All(t => IdOf(t) >= 0))
        {
            var lowerCase = !tokens.Any(t => !(t.StartsWith('[') && t.EndsWith(']')) && t.Any(char.IsUpper));
            var bert = BertTokenizer.Create(path, new BertOptions { LowerCaseBeforeTokenization = lowerCase });
            return new TokenizerFile(path, bert, tokens.Count, bert.PaddingTokenId, bert.ClassificationTokenId, bert.SeparatorTokenId);
        }
        return new TokenizerFile(path, WordPieceTokenizer.Create(path), tokens.Count, pad, cls is not null && sep is not null ? cls : null, cls is not null && sep is not null ? sep : null);
    }

    private static TokenizerFile LoadBpe(string path, string? mergesPath)
    {
        mergesPath ??= System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!, "merges.txt");
        if (!File.Exists(mergesPath))
            throw new InvalidInputDataException("A BPE vocabulary needs its merges file.", mergesPath, advice: "give it with --merges FILE, or put merges.txt beside the vocab.json");
        Dictionary<string, int> vocabulary;
        using (var stream = File.OpenRead(path))
            vocabulary = JsonSerializer.Deserialize<Dictionary<string, int>>(stream)
                ?? throw new InvalidInputDataException("The vocabulary is empty.", path, advice: "give a vocab.json mapping tokens to ids");
        if (vocabulary.Count == 0)
            throw new InvalidInputDataException("The vocabulary is empty.", path, advice: "give a vocab.json mapping tokens to ids");
        var bpe = BpeTokenizer.Create(path, mergesPath);
        var pad = new[] { "<pad>", "[PAD]", "<|padding|>" }.Select(t => vocabulary.TryGetValue(t, out var id) ? id : (int?)null).FirstOrDefault(id => id is not null) ?? 0;
        return new TokenizerFile(path, bpe, vocabulary.Values.Max() + 1, pad, null, null);
    }

    /// <summary>The ids of <paramref name="text"/>, special tokens included, cut to at most <paramref name="maxTokens"/>.</summary>
    public int[] Encode(string text, int maxTokens)
    {
        var ids = _tokenizer is BertTokenizer bert
            ? bert.EncodeToIds(text, addSpecialTokens: false)
            : _tokenizer.EncodeToIds(text);
        var room = Math.Max(0, maxTokens - SpecialTokenCount);
        var result = new List<int>(Math.Min(ids.Count, room) + SpecialTokenCount);
        if (_first is { } first) result.Add(first);
        result.AddRange(ids.Take(room));
        if (_last is { } last) result.Add(last);
        return result.Take(maxTokens).ToArray();
    }
}
