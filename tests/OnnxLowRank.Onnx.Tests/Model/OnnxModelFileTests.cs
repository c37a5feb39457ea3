using Google.Protobuf;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Onnx.Tests;

public sealed class OnnxModelFileTests
{
    [Test]
    public void BytesThatAreNotProtobufAreRefused()
    {
        var error = Assert.Throws<InvalidModelException>(() => OnnxModelFile.Parse([0xFF, 0xFF, 0xFF, 0xFF, 0x0F], sourcePath: "junk.onnx"));
        Assert.That(error!.FilePath, Is.EqualTo("junk.onnx"));
        Assert.That(error.InnerException, Is.InstanceOf<InvalidProtocolBufferException>());
    }

    [Test]
    public void TruncatedModelIsRefused()
    {
        var bytes = File.ReadAllBytes(Path.Combine(OnnxTestData.CaseFolder("pytorch-converted", "test_Conv2d"), "model.onnx"));
        Assert.Throws<InvalidModelException>(() => OnnxModelFile.Parse(bytes[..(bytes.Length / 2)]));
    }

    [Test]
    public void ModelWithoutAGraphIsRefused()
    {
        Assert.Throws<InvalidModelException>(() => OnnxModelFile.Parse(new ModelProto { IrVersion = 8 }.ToByteArray()));
    }

    [Test]
    public void SubgraphsNestedTooDeeplyAreRefusedInsteadOfExhaustingTheStack()
    {
        // Each If level nests graph -> node -> attribute -> graph: 60 levels are 180 messages deep.
        var graph = new GraphProto { Name = "innermost" };
        for (var level = 0; level < 60; level++)
        {
            var node = new NodeProto { OpType = "If", Input = { "c" }, Output = { $"y{level}" } };
            node.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = graph });
            graph = new GraphProto { Name = $"level{level}", Node = { node } };
        }
        var bytes = new ModelProto { IrVersion = 8, Graph = graph }.ToByteArray();
        Assert.Throws<InvalidModelException>(() => OnnxModelFile.Parse(bytes));
    }

    [Test]
    public void InitializerWhoseRawDataDisagreesWithItsDimsIsRefused()
    {
        var weight = new TensorProto { Name = "short_weight", DataType = (int)DataType.Int64, Dims = { 3 }, RawData = ByteString.CopyFrom(new byte[16]) };
        var bytes = new ModelProto { IrVersion = 8, Graph = new GraphProto { Initializer = { weight } } }.ToByteArray();
        var error = Assert.Throws<InvalidModelException>(() => OnnxModelFile.Parse(bytes, sourcePath: "m.onnx"));
        Assert.That(error!.Message, Does.Contain("'short_weight'").And.Contain("24"));
    }

    [Test]
    public void ConstantNodeTensorWithBadDimsIsRefused()
    {
        var value = new TensorProto { DataType = (int)DataType.Float, Dims = { 1L << 40, 1L << 40 } };
        var node = new NodeProto { OpType = "Constant", Name = "const", Output = { "c" } };
        node.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = value });
        var bytes = new ModelProto { IrVersion = 8, Graph = new GraphProto { Node = { node } } }.ToByteArray();
        var error = Assert.Throws<InvalidModelException>(() => OnnxModelFile.Parse(bytes));
        Assert.That(error!.Message, Does.Contain("'const'"));
    }

    [Test]
    public void FourBitTensorsNeedHalfAByteEach()
    {
        var packed = new TensorProto { Name = "nibbles", DataType = (int)DataType.Int4, Dims = { 5 }, RawData = ByteString.CopyFrom(new byte[3]) };
        var bytes = new ModelProto { IrVersion = 10, Graph = new GraphProto { Initializer = { packed } } }.ToByteArray();
        Assert.That(OnnxModelFile.Parse(bytes).Graph.Initializer[0], Is.EqualTo(packed));
    }

    [Test]
    public void MissingModelFileIsReportedAsInvalidModel()
    {
        var path = Path.Combine(Path.GetTempPath(), $"onnxio-missing-{Guid.NewGuid():N}.onnx");
        var error = Assert.Throws<InvalidModelException>(() => OnnxModelFile.Load(path));
        Assert.That(error!.FilePath, Is.EqualTo(path));
    }

    [Test]
    public void SavingOverAnExistingFileReplacesIt()
    {
        var folder = Directory.CreateTempSubdirectory("onnxio-save-");
        try
        {
            var path = Path.Combine(folder.FullName, "m.onnx");
            File.WriteAllBytes(path, new byte[100_000]);
            var model = OnnxModelFile.Load(Path.Combine(OnnxTestData.CaseFolder("pytorch-converted", "test_Conv2d"), "model.onnx"));
            OnnxModelFile.Save(model, path);
            Assert.That(File.ReadAllBytes(path), Is.EqualTo(model.ToByteArray()));
            Assert.That(folder.GetFiles().Select(f => f.Name), Is.EqualTo(new[] { "m.onnx" }), "no temporary files left behind");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
