using Microsoft.ML.Tokenizers;
using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx.Protos;
using static OnnxLowRank.Core.Tests.Data.Descriptors;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.Data;

/// <summary>
/// Text for token models against Microsoft.ML.Tokenizers called directly: ids, [CLS]/[SEP], truncation, padding,
/// masks, token types and positions; the typed errors for text that cannot be fed.
/// </summary>
public class TextDataSourceTests
{
    private static readonly string[] Words =
        ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "a", "cat", "sat", "on", "mat", "##s", "##ing", "run", "."];

    private static readonly string[] Lines = ["The quick brown fox", "", "a cat sat on the mat.", "   ", "dogs running over cats", "fox"];

    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("text-data-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, IEnumerable<string> lines)
    {
        var path = Path.Combine(_folder, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, lines);
        return path;
    }

    private string Vocab() => Write("vocab.txt", ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", .. Words]);

    private static ValueDescriptor Int64(string name) => new(name, DataType.Int64, [null, null], ["batch", "sequence"]);

    private static readonly ValueDescriptor[] BertInputs = [Int64("input_ids"), Int64("attention_mask"), Int64("token_type_ids")];

    [Test]
    public void WordPiece_text_matches_the_bert_tokenizer_with_padding_and_masks()
    {
        var vocab = Vocab();
        var data = Write("lines.txt", Lines);
        var source = DataSourceOpener.Open(data, BertInputs, new DataSourceOptions { TokenizerPath = vocab });
        Assert.That(source, Is.TypeOf<TextDataSource>());
        Assert.That(source.Count, Is.EqualTo(4));

        var reference = BertTokenizer.Create(vocab);
        var expected = Lines.Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => reference.EncodeToIds(l).ToArray()).ToList();
        Assert.That(expected[0][0], Is.EqualTo(reference.ClassificationTokenId));
        var batches = source.ReadBatches(3).ToList();
        Assert.That(batches.Select(b => b.Count), Is.EqualTo(new[] { 3, 1 }));
        AssertBatch(batches[0], expected[..3], reference.PaddingTokenId);
        AssertBatch(batches[1], expected[3..], reference.PaddingTokenId);
    }

    private static void AssertBatch(DataBatch batch, List<int[]> expected, int padding)
    {
        var length = expected.Max(e => e.Length);
        var ids = (long[])batch.Inputs["input_ids"].Values;
        var mask = (long[])batch.Inputs["attention_mask"].Values;
        Assert.That(batch.Inputs["input_ids"].Shape, Is.EqualTo(new long[] { expected.Count, length }));
        Assert.That(batch.Inputs["attention_mask"].Shape, Is.EqualTo(new long[] { expected.Count, length }));
        Assert.That((long[])batch.Inputs["token_type_ids"].Values, Is.All.Zero);
        for (var s = 0; s < expected.Count; s++)
        {
            var row = expected[s].Select(i => (long)i).Concat(Enumerable.Repeat((long)padding, length - expected[s].Length));
            Assert.That(ids.Skip(s * length).Take(length), Is.EqualTo(row));
            Assert.That(mask.Skip(s * length).Take(length), Is.EqualTo(Enumerable.Range(0, length).Select(t => t < expected[s].Length ? 1L : 0L)));
        }
    }

    [Test]
    public void A_vocabulary_without_mask_is_plain_word_piece_wrapped_in_cls_and_sep()
    {
        var vocab = Write("vocab.txt", ["[PAD]", "[UNK]", "[CLS]", "[SEP]", .. Words]);
        var data = Write("lines.txt", ["the quick brown foxes"]);
        var source = DataSourceOpener.Open(data, BertInputs, new DataSourceOptions { TokenizerPath = vocab });
        var reference = WordPieceTokenizer.Create(vocab).EncodeToIds("the quick brown foxes");
        var ids = (long[])source.ReadBatches(8).Single().Inputs["input_ids"].Values;
        Assert.That(ids, Is.EqualTo(reference.Prepend(2).Append(3).Select(i => (long)i)));
    }

    [Test]
    public void Long_lines_are_cut_to_max_tokens_keeping_the_separator()
    {
        var vocab = Vocab();
        var data = Write("lines.txt", ["the quick brown fox jumps over the lazy dog"]);
        var source = DataSourceOpener.Open(data, BertInputs, new DataSourceOptions { TokenizerPath = vocab, MaxTokens = 5 });
        var reference = BertTokenizer.Create(vocab).EncodeToIds("the quick brown fox jumps over the lazy dog");
        var ids = (long[])source.ReadBatches(8).Single().Inputs["input_ids"].Values;
        Assert.That(ids, Is.EqualTo(reference.Take(4).Append(reference[^1]).Select(i => (long)i)));
    }

    [Test]
    public void Offset_limit_folders_int32_and_position_ids_are_respected()
    {
        var vocab = Vocab();
        Write(Path.Combine("texts", "b.txt"), ["fox", "dog"]);
        var folder = Path.GetDirectoryName(Write(Path.Combine("texts", "a.txt"), ["cat", "mat"]))!;
        ValueDescriptor[] inputs = [Input("ids", DataType.Int32, null, null), Int64("position_ids"), Int64("Attention_Mask")];
        var source = DataSourceOpener.Open(folder, inputs, new DataSourceOptions { TokenizerPath = vocab, Slice = new DataSlice(1, 2) });
        var reference = BertTokenizer.Create(vocab);
        var batch = source.ReadBatches(32).Single();
        Assert.That(batch.Count, Is.EqualTo(2));
        Assert.That((int[])batch.Inputs["ids"].Values, Is.EqualTo(reference.EncodeToIds("mat").Concat(reference.EncodeToIds("fox"))));
        Assert.That((long[])batch.Inputs["position_ids"].Values, Is.EqualTo(new long[] { 0, 1, 2, 0, 1, 2 }));
    }

    [Test]
    public void Bpe_text_matches_the_bpe_tokenizer()
    {
        var vocabulary = new Dictionary<string, int> { ["a"] = 0, ["b"] = 1, ["c"] = 2, ["ab"] = 3, ["abc"] = 4, ["<unk>"] = 5 };
        var vocab = Path.Combine(_folder, "vocab.json");
        File.WriteAllText(vocab, System.Text.Json.JsonSerializer.Serialize(vocabulary));
        var merges = Write("merges.txt", ["#version: 0.2", "a b", "ab c"]);
        var data = Write("lines.txt", ["abc ab", "cab a"]);
        var source = DataSourceOpener.Open(data, [Int64("input_ids")], new DataSourceOptions { TokenizerPath = vocab });
        var reference = BpeTokenizer.Create(vocab, merges);
        var ids = (long[])source.ReadBatches(1).First().Inputs["input_ids"].Values;
        Assert.That(ids, Is.EqualTo(reference.EncodeToIds("abc ab").Select(i => (long)i)));
        Assert.That(ids, Is.Not.Empty);
    }

    [Test]
    public void Text_without_a_tokenizer_is_a_data_error_with_advice()
    {
        var data = Write("lines.txt", Lines);
        var error = Assert.Throws<InvalidInputDataException>(() => DataSourceOpener.Open(data, BertInputs, new DataSourceOptions()));
        Assert.That(error!.Advice, Does.Contain("--tokenizer"));
    }

    [Test]
    public void Blank_lines_only_are_a_data_error()
    {
        var data = Write("lines.txt", ["", "  ", "\t"]);
        var error = Assert.Throws<InvalidInputDataException>(() => DataSourceOpener.Open(data, BertInputs, new DataSourceOptions { TokenizerPath = Vocab() }));
        Assert.That(error!.Reason, Does.Contain("no sample"));
    }

    [Test]
    public void A_vocabulary_larger_than_the_embedding_table_is_a_data_error_naming_both_sizes()
    {
        var data = Write("lines.txt", Lines);
        var options = new DataSourceOptions { TokenizerPath = Vocab(), TableRows = new Dictionary<string, long> { ["input_ids"] = 10 } };
        var error = Assert.Throws<InvalidInputDataException>(() => DataSourceOpener.Open(data, BertInputs, options));
        Assert.That(error!.Reason, Does.Contain($"{Words.Length + 5} tokens").And.Contain("10 rows"));
    }

    [Test]
    public void An_input_text_cannot_fill_is_a_data_error_naming_it()
    {
        var data = Write("lines.txt", Lines);
        ValueDescriptor[] inputs = [Int64("input_ids"), Float("pixel_values", null, 3)];
        var error = Assert.Throws<InvalidInputDataException>(() => DataSourceOpener.Open(data, inputs, new DataSourceOptions { TokenizerPath = Vocab() }));
        Assert.That(error!.Subject, Is.EqualTo("pixel_values"));
        var merges = Assert.Throws<InvalidInputDataException>(() =>
            DataSourceOpener.Open(data, BertInputs, new DataSourceOptions { TokenizerPath = Path.Combine(_folder, "vocab.json") }));
        Assert.That(merges!.Reason, Does.Contain("does not exist"));
    }

    [Test]
    public void Table_rows_are_read_from_the_gather_each_input_feeds()
    {
        var graph = new GraphProto { Name = "g" };
        graph.Input.Add(new ValueInfoProto { Name = "input_ids" });
        graph.Input.Add(new ValueInfoProto { Name = "token_type_ids" });
        graph.Input.Add(new ValueInfoProto { Name = "attention_mask" });
        var table = new TensorProto { Name = "words", DataType = (int)DataType.Float };
        table.Dims.AddRange([30, 4]);
        var types = new TensorProto { Name = "types", DataType = (int)DataType.Float };
        types.Dims.AddRange([2, 4]);
        graph.Initializer.Add(table);
        graph.Initializer.Add(types);
        graph.Node.Add(Node("Gather", ["words", "input_ids"], "e"));
        graph.Node.Add(Node("Cast", ["token_type_ids"], "t"));
        graph.Node.Add(Node("Gather", ["types", "t"], "te"));
        var rows = TokenEmbeddings.TableRows(new ModelProto { Graph = graph });
        Assert.That(rows, Is.EquivalentTo(new Dictionary<string, long> { ["input_ids"] = 30, ["token_type_ids"] = 2 }));
    }

    private static NodeProto Node(string op, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    [Test]
    public void Random_token_inputs_stay_inside_the_table_with_full_masks()
    {
        var rows = new Dictionary<string, long> { ["input_ids"] = 30 };
        var options = new DataSourceOptions { TableRows = rows, Dimensions = DimensionSizes.Parse(["sequence=4"]), Slice = new DataSlice(0, 8) };
        ValueDescriptor[] inputs = [.. BertInputs, Int64("position_ids")];
        var batch = DataSourceOpener.Open("random", inputs, options).ReadBatches(8).Single();
        var ids = (long[])batch.Inputs["input_ids"].Values;
        Assert.That(ids, Is.All.InRange(0, 29));
        Assert.That(ids.Max(), Is.GreaterThan(1), "ids are drawn from the whole table, not 0 or 1");
        Assert.That((long[])batch.Inputs["attention_mask"].Values, Is.All.EqualTo(1));
        Assert.That((long[])batch.Inputs["token_type_ids"].Values, Is.All.Zero);
        Assert.That(((long[])batch.Inputs["position_ids"].Values).Take(8), Is.EqualTo(new long[] { 0, 1, 2, 3, 0, 1, 2, 3 }));
    }
}
