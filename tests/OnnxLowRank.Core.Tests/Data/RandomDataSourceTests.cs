using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.Execution;
using static OnnxLowRank.Core.Tests.Data.Descriptors;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.Data;

public class RandomDataSourceTests
{
    [Test]
    public void Samples_take_the_declared_shape_with_unbound_dimensions_at_one()
    {
        var source = new RandomDataSource([Float("image", null, 3, null)], DimensionSizes.None, new DataSlice(0, 5));
        var batches = source.ReadBatches(2).ToList();
        Assert.That(batches.Select(b => b.Inputs["image"].Shape), Is.EqualTo(new[] { new long[] { 2, 3, 1 }, [2, 3, 1], [1, 3, 1] }));
    }

    [Test]
    public void The_same_seed_and_index_give_the_same_sample_whatever_the_offset()
    {
        ValueDescriptor[] inputs = [Float("x", null, 4)];
        var whole = new RandomDataSource(inputs, DimensionSizes.None, new DataSlice(0, 3), seed: 7).ReadBatches(3).Single().Inputs["x"].AsFloats();
        var third = new RandomDataSource(inputs, DimensionSizes.None, new DataSlice(2, 1), seed: 7).ReadBatches(3).Single().Inputs["x"].AsFloats();
        var otherSeed = new RandomDataSource(inputs, DimensionSizes.None, new DataSlice(2, 1), seed: 8).ReadBatches(3).Single().Inputs["x"].AsFloats();
        Assert.That(third, Is.EqualTo(whole[8..]));
        Assert.That(otherSeed, Is.Not.EqualTo(third));
    }

    [Test]
    public void Floats_are_standard_normal_and_integers_zero_or_one()
    {
        var source = new RandomDataSource([Float("x", null, 1000), Input("ids", DataType.Int64, null, 10)], DimensionSizes.None, new DataSlice(0, 20));
        var batch = source.ReadBatches(20).Single();
        var values = batch.Inputs["x"].AsFloats().Select(v => (double)v).ToArray();
        var mean = values.Average();
        var std = Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average());
        Assert.That(mean, Is.EqualTo(0).Within(0.03));
        Assert.That(std, Is.EqualTo(1).Within(0.03));
        Assert.That(((long[])batch.Inputs["ids"].Values).Distinct().Order(), Is.EqualTo(new long[] { 0, 1 }));
    }

    [Test]
    public void Without_a_limit_a_default_number_of_samples_is_made()
    {
        Assert.That(new RandomDataSource([Float("x", [null])], DimensionSizes.None, DataSlice.All).Count, Is.EqualTo(RandomDataSource.DefaultCount));
    }
}
