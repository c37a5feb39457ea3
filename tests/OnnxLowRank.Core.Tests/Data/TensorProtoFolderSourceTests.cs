using Google.Protobuf;
using OnnxLowRank.Core.Data;
using OnnxLowRank.Onnx.Protos;
using static OnnxLowRank.Core.Tests.Data.Descriptors;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.Data;

// Expected values were read from the same files with onnx.numpy_helper.to_array (onnx 1.12).
public class TensorProtoFolderSourceTests
{
    [Test]
    public void Reads_an_unnamed_tensor_by_position()
    {
        var source = new TensorProtoFolderSource([Float("0", 2, 3, 7, 5)], TestFiles.OnnxTestCase("pytorch-converted/test_Conv2d"), DataSlice.All);
        Assert.That(source.Count, Is.EqualTo(1));
        var tensor = source.ReadBatches(8).Single().Inputs["0"];
        Assert.That(tensor.Shape, Is.EqualTo(new long[] { 2, 3, 7, 5 }));
        var values = tensor.AsFloats();
        Assert.That(values[..3], Is.EqualTo(new[] { -0.982118546962738f, 0.5474972724914551f, 0.13311725854873657f }));
        Assert.That(values[^1], Is.EqualTo(-0.605699360370636f));
    }

    [Test]
    public void Matches_named_tensors_to_inputs_by_name_whatever_the_order()
    {
        // The model order here is the reverse of the files' order.
        var source = new TensorProtoFolderSource(
            [Input("indices", DataType.Int64, 3), Float("data", 5, 4, 3, 2)],
            Path.Combine(TestFiles.OnnxTestCase("node/test_gather_0"), "test_data_set_0"), DataSlice.All);
        var inputs = source.ReadBatches(1).Single().Inputs;
        Assert.That((long[])inputs["indices"].Values, Is.EqualTo(new long[] { 0, 1, 3 }));
        Assert.That(inputs["data"].AsFloats()[0], Is.EqualTo(1.764052391052246f));
        Assert.That(inputs["data"].AsFloats()[^1], Is.EqualTo(0.922206699848175f));
    }

    [Test]
    public void Sets_are_taken_in_numeric_order_with_offset_and_limit_and_typed_fields_decode()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"pb-{Guid.NewGuid():N}");
        try
        {
            foreach (var set in new[] { 10, 0, 2 })
            {
                var dir = Directory.CreateDirectory(Path.Combine(folder, $"test_data_set_{set}")).FullName;
                var tensor = new TensorProto { Name = "x", DataType = (int)DataType.Float, Dims = { 1, 2 }, FloatData = { set, set + 0.5f } };
                File.WriteAllBytes(Path.Combine(dir, "input_0.pb"), tensor.ToByteArray());
            }
            var all = new TensorProtoFolderSource([Float("x", null, 2)], folder, DataSlice.All);
            Assert.That(all.ReadBatches(4).Select(b => b.Inputs["x"].AsFloats()[0]), Is.EqualTo(new[] { 0f, 2f, 10f }));

            var cut = new TensorProtoFolderSource([Float("x", null, 2)], folder, new DataSlice(1, 1));
            Assert.That(cut.ReadBatches(4).Single().Inputs["x"].AsFloats(), Is.EqualTo(new[] { 2f, 2.5f }));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Test]
    public void A_tensor_of_the_wrong_shape_is_refused_with_its_file()
    {
        var source = new TensorProtoFolderSource([Float("0", 2, 3, 7, 6)], TestFiles.OnnxTestCase("pytorch-converted/test_Conv2d"), DataSlice.All);
        var error = Assert.Throws<InvalidInputDataException>(() => source.ReadBatches(1).ToList());
        Assert.That(error!.FilePath, Does.EndWith("input_0.pb"));
        Assert.That(error.Subject, Is.EqualTo("0"));
    }

    [Test]
    public void A_file_that_is_not_protobuf_is_refused()
    {
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"pb-{Guid.NewGuid():N}")).FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(folder, "input_0.pb"), [0xff, 0xff, 0xff, 0xff]);
            var source = new TensorProtoFolderSource([Float("x", 1)], folder, DataSlice.All);
            Assert.Throws<InvalidInputDataException>(() => source.ReadBatches(1).ToList());
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
