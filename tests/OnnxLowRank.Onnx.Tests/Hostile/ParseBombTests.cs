using Google.Protobuf;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;
using static OnnxLowRank.Onnx.Tests.Hostile.WireBytes;

namespace OnnxLowRank.Onnx.Tests.Hostile;

/// <summary>
/// Small files built to exhaust the reader: nesting far past the recursion limit, millions of tiny
/// repeated entries, lengths that promise gigabytes. Each must end in a typed error or a model, with
/// allocation bounded by a small multiple of the file's size, never by what the file declares.
/// </summary>
public class ParseBombTests
{
    // Field numbers from onnx.proto.
    private const int ModelGraph = 7, GraphNode = 1, GraphInitializer = 5, GraphInput = 11, NodeAttribute = 5, AttributeGraph = 6;
    private const int ValueInfoType = 2, TypeSequence = 4, SequenceElement = 1, TensorDims = 1, TensorFloatData = 4, TensorRawData = 9;

    private static (T Result, long Allocated) Measured<T>(Func<T> parse)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = parse();
        return (result, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static long Refused(byte[] bytes)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<InvalidModelException>(() => OnnxModelFile.Parse(bytes));
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Test]
    public void SubgraphsNestedAHundredThousandDeepAreRefusedWithoutExhaustingTheStack()
    {
        var fields = new List<int> { ModelGraph };
        for (var level = 0; level < 100_000; level++) fields.AddRange([GraphNode, NodeAttribute, AttributeGraph]);
        var bytes = Nested(fields);

        var allocated = Refused(bytes);

        Assert.That(allocated, Is.LessThan(16L << 20), $"{bytes.Length} bytes of file");
    }

    [Test]
    public void TypesNestedAHundredThousandDeepAreRefusedWithoutExhaustingTheStack()
    {
        var fields = new List<int> { ModelGraph, GraphInput, ValueInfoType };
        for (var level = 0; level < 100_000; level++) fields.AddRange([TypeSequence, SequenceElement]);

        var allocated = Refused(Nested(fields));

        Assert.That(allocated, Is.LessThan(16L << 20));
    }

    [TestCase(GraphNode, TestName = "200000 empty nodes")]
    [TestCase(GraphInitializer, TestName = "200000 empty initializers")]
    [TestCase(GraphInput, TestName = "200000 empty graph inputs")]
    public void TinyRepeatedEntriesUnderTheMessageLimitLoadAtABoundedCostEach(int field)
    {
        var bytes = Field(ModelGraph, RepeatedEmpty(field, 200_000));

        var (model, allocated) = Measured(() => OnnxModelFile.Parse(bytes));

        Assert.That(model.Graph.Node.Count + model.Graph.Initializer.Count + model.Graph.Input.Count, Is.EqualTo(200_000));
        Assert.That(allocated / 200_000, Is.LessThan(1024), "bytes allocated per 2-byte entry");
    }

    [TestCase(GraphNode, TestName = "five million empty nodes")]
    [TestCase(GraphInitializer, TestName = "five million empty initializers")]
    public void MillionsOfTinyRepeatedEntriesAreRefusedBeforeAnyIsBuilt(int field)
    {
        var bytes = Field(ModelGraph, RepeatedEmpty(field, 5_000_000));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<UnsupportedModelException>(() => OnnxModelFile.Parse(bytes, sourcePath: "bomb.onnx"));

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(1L << 20));
        Assert.That(error!.FilePath, Is.EqualTo("bomb.onnx"));
    }

    [Test]
    public void AMillionDimsOnOneTensorAreRead()
    {
        var dims = Enumerable.Repeat(Varint(TensorDims << 3).Concat(Varint(1)), 1_000_000).SelectMany(b => b).ToArray();
        var bytes = Field(ModelGraph, Field(GraphInitializer, dims));

        var (model, allocated) = Measured(() => OnnxModelFile.Parse(bytes));

        Assert.That(model.Graph.Initializer.Single().Dims, Has.Count.EqualTo(1_000_000));
        Assert.That(allocated, Is.LessThan(64L * bytes.Length));
    }

    [TestCase(int.MaxValue - 1UL, TestName = "graph declared 2 GB long")]
    [TestCase(1UL << 62, TestName = "graph declared 2^62 bytes long")]
    [TestCase(ulong.MaxValue, TestName = "graph length varint of ten bytes")]
    public void HugeDeclaredLengthOfTheGraphIsRefusedWithoutAllocatingIt(ulong declared)
    {
        var bytes = Header(ModelGraph, declared).Concat(new byte[64]).ToArray();

        Assert.That(Refused(bytes), Is.LessThan(1L << 20));
    }

    [TestCase(TensorFloatData, TestName = "packed float_data declared 1.9 GB long")]
    [TestCase(TensorRawData, TestName = "raw_data declared 1.9 GB long")]
    public void HugeDeclaredLengthInsideAnInitializerIsRefusedWithoutAllocatingIt(int field)
    {
        // The enclosing messages tell the truth about their size; only the innermost field lies.
        var tensor = Header(field, 1_900_000_000UL).Concat(new byte[16]).ToArray();
        var bytes = Field(ModelGraph, Field(GraphInitializer, tensor));

        Assert.That(Refused(bytes), Is.LessThan(1L << 20));
    }

    [Test]
    public void FloatDataShorterThanHugeDimsIsRefusedBeforeAnyArrayIsMade()
    {
        // 40000 x 40000 doubles would be 12.8 GB; the file holds three floats.
        var tensor = new TensorProto { Name = "W", DataType = (int)TensorProto.Types.DataType.Float, Dims = { 40_000, 40_000 }, FloatData = { 1, 2, 3 } };

        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidModelException>(() => TensorCodec.ToDoubles(tensor));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(1L << 20));
        Assert.That(error!.Subject, Is.EqualTo("W"));
        Assert.Throws<InvalidModelException>(() => TensorCodec.ToFloats(tensor));
    }

    [Test]
    public void DimsWhoseByteSizeOverflowsAreRefusedNamingTheTensor()
    {
        // 2^62 elements fit a long, their 4-byte size does not.
        var tensor = new TensorProto { Name = "bias", DataType = (int)TensorProto.Types.DataType.Float, Dims = { 1L << 62 }, RawData = ByteString.CopyFrom(new byte[4]) };
        var bytes = new ModelProto { IrVersion = 8, Graph = new GraphProto { Initializer = { tensor } } }.ToByteArray();

        var error = Assert.Throws<InvalidModelException>(() => OnnxModelFile.Parse(bytes));

        Assert.That(error!.Subject, Is.EqualTo("bias"));
    }
}
