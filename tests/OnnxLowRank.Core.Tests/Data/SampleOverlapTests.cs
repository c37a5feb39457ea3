using OnnxLowRank.Core.Data;
using static OnnxLowRank.Core.Tests.Data.Descriptors;

namespace OnnxLowRank.Core.Tests.Data;

public class SampleOverlapTests
{
    private const string Images = "fmnist-test-2000-images-idx3-ubyte.gz";

    private static IdxImageSource Slice(int offset, int limit, PixelNormalization? normalization = null) =>
        new([Float("input", null, 1, 28, 28)], TestFiles.ModelData(Images), null, normalization ?? PixelNormalization.UnitRange, new DataSlice(offset, limit));

    [Test]
    public void Overlapping_slices_of_one_file_share_exactly_their_common_samples()
    {
        Assert.That(SampleOverlap.Measure(Slice(0, 40), Slice(25, 30)), Is.EqualTo(new SampleOverlap(40, 30, 15)));
        Assert.That(SampleOverlap.Measure(Slice(0, 40), Slice(40, 30)).SharedSamples, Is.Zero);
        Assert.That(SampleOverlap.Measure(Slice(100, 10), Slice(0, 200)).SharedSamples, Is.EqualTo(10), "order and position do not matter");
    }

    [Test]
    public void A_sample_digest_is_the_samples_own_whatever_it_is_read_with()
    {
        var alone = SampleFingerprints.Of(Slice(7, 1));
        var among = SampleFingerprints.Of(Slice(0, 10));
        Assert.That(among[7], Is.EqualTo(alone[0]));
        Assert.That(among.Distinct().Count(), Is.EqualTo(10));
        Assert.That(SampleFingerprints.Of(Slice(7, 1, new PixelNormalization(0.2860, 0.3530)))[0], Is.Not.EqualTo(alone[0]), "digests are of the values the model is fed");
    }
}
