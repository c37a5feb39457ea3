using OnnxLowRank.Core.Data;
using static OnnxLowRank.Core.Tests.Data.Descriptors;

namespace OnnxLowRank.Core.Tests.Data;

// named.npz: x (4, 2, 3) float32 with sample s = s*10 + (0..5), labels = [3, 2, 1, 0]; compressed.npz: arr_0 = the same samples as (4, 6).
public class NumpyDataSourceTests
{
    private static float[] Sample(int s) => Enumerable.Range(0, 6).Select(v => (float)(s * 10 + v)).ToArray();

    [Test]
    public void Npz_entries_feed_inputs_by_name_with_labels()
    {
        var source = new NumpyDataSource([Float("x", null, 2, 3)], TestFiles.Fixture("named.npz"), null, DataSlice.All);
        Assert.That(source.Count, Is.EqualTo(4));
        Assert.That(source.HasLabels, Is.True);

        var batches = source.ReadBatches(3).ToList();
        Assert.That(batches.Select(b => b.Count), Is.EqualTo(new[] { 3, 1 }));
        Assert.That(batches[0].Inputs["x"].Shape, Is.EqualTo(new long[] { 3, 2, 3 }));
        Assert.That(batches[0].Inputs["x"].AsFloats(), Is.EqualTo(Sample(0).Concat(Sample(1)).Concat(Sample(2)).ToArray()));
        Assert.That(batches.SelectMany(b => b.Labels!), Is.EqualTo(new[] { 3, 2, 1, 0 }));
    }

    [Test]
    public void Offset_and_limit_select_the_samples()
    {
        var source = new NumpyDataSource([Float("x", null, 2, 3)], TestFiles.Fixture("named.npz"), null, new DataSlice(1, 2));
        var batch = source.ReadBatches(10).Single();
        Assert.That(batch.Count, Is.EqualTo(2));
        Assert.That(batch.Inputs["x"].AsFloats(), Is.EqualTo(Sample(1).Concat(Sample(2)).ToArray()));
        Assert.That(batch.Labels, Is.EqualTo(new[] { 2, 1 }));
    }

    [Test]
    public void A_lone_unnamed_entry_is_reshaped_to_the_single_input()
    {
        var source = new NumpyDataSource([Float("image", null, 2, 3)], TestFiles.Fixture("compressed.npz"), null, DataSlice.All);
        var batch = source.ReadBatches(4).Single();
        Assert.That(batch.Inputs["image"].Shape, Is.EqualTo(new long[] { 4, 2, 3 }));
        Assert.That(batch.Inputs["image"].AsFloats()[18..], Is.EqualTo(Sample(3)));
        Assert.That(batch.Labels, Is.Null);
    }

    [Test]
    public void Npy_doubles_are_converted_to_a_float_input()
    {
        var source = new NumpyDataSource([Float("v", null, 3)], TestFiles.Fixture("f8.npy"), null, DataSlice.All);
        var batch = source.ReadBatches(1).First();
        Assert.That(batch.Inputs["v"].AsFloats(), Is.EqualTo(new[] { 0f, 0.25f, 0.5f }));
        Assert.That(source.Count, Is.EqualTo(2));
    }

    [Test]
    public void A_missing_input_is_named_in_the_error()
    {
        var error = Assert.Throws<InvalidInputDataException>(() =>
            new NumpyDataSource([Float("x", null, 2, 3), Float("mask", null, 2, 3)], TestFiles.Fixture("named.npz"), null, DataSlice.All));
        Assert.That(error!.Subject, Is.EqualTo("mask"));
        Assert.That(error.Advice, Does.Contain("x"));
    }

    [Test]
    public void An_array_that_cannot_fit_the_input_is_refused()
    {
        var error = Assert.Throws<InvalidInputDataException>(() =>
            new NumpyDataSource([Float("x", null, 5)], TestFiles.Fixture("named.npz"), null, DataSlice.All));
        Assert.That(error!.Reason, Does.Contain("[4,2,3]"));
    }
}
