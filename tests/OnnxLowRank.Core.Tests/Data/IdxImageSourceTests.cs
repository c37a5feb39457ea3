using System.IO.Compression;
using OnnxLowRank.Core.Data;
using static OnnxLowRank.Core.Tests.Data.Descriptors;

namespace OnnxLowRank.Core.Tests.Data;

public class IdxImageSourceTests
{
    private const string Images = "fmnist-test-2000-images-idx3-ubyte.gz";
    private const string Labels = "fmnist-test-2000-labels-idx1-ubyte.gz";
    private static readonly PixelNormalization FashionMnist = new(0.2860, 0.3530);

    private static byte[] Gunzip(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        gzip.CopyTo(bytes);
        return bytes.ToArray();
    }

    [Test]
    public void Reads_the_bundled_slice_against_a_hand_decode()
    {
        var raw = Gunzip(TestFiles.ModelData(Images));
        var rawLabels = Gunzip(TestFiles.ModelData(Labels));
        // Header: magic 00 00 08 03, then big-endian 2000, 28, 28; labels: 00 00 08 01, 2000.
        Assert.That(raw[..4], Is.EqualTo(new byte[] { 0, 0, 8, 3 }));
        Assert.That((raw[4] << 24) | (raw[5] << 16) | (raw[6] << 8) | raw[7], Is.EqualTo(2000));
        Assert.That(rawLabels[..4], Is.EqualTo(new byte[] { 0, 0, 8, 1 }));

        var source = new IdxImageSource([Float("input", null, 1, 28, 28)], TestFiles.ModelData(Images), TestFiles.ModelData(Labels), FashionMnist, DataSlice.All);
        Assert.That(source.Count, Is.EqualTo(2000));
        var batches = source.ReadBatches(500).ToList();
        Assert.That(batches, Has.Count.EqualTo(4));
        var first = batches[0];
        Assert.That(first.Inputs["input"].Shape, Is.EqualTo(new long[] { 500, 1, 28, 28 }));
        var pixels = first.Inputs["input"].AsFloats();
        for (var i = 0; i < 2 * 784; i += 37)
            Assert.That(pixels[i], Is.EqualTo((raw[16 + i] / 255.0 - 0.2860) / 0.3530).Within(1e-6), $"pixel {i}");
        var last = batches[^1].Inputs["input"].AsFloats();
        Assert.That(last[^1], Is.EqualTo((raw[^1] / 255.0 - 0.2860) / 0.3530).Within(1e-6));
        Assert.That(batches.SelectMany(b => b.Labels!), Is.EqualTo(rawLabels[8..].Select(b => (int)b)));
    }

    [Test]
    public void Offset_and_limit_cut_the_slice()
    {
        var raw = Gunzip(TestFiles.ModelData(Images));
        var source = new IdxImageSource([Float("input", null, 1, 28, 28)], TestFiles.ModelData(Images), null, PixelNormalization.UnitRange, new DataSlice(1990, 20));
        Assert.That(source.Count, Is.EqualTo(10));
        var batches = source.ReadBatches(4).ToList();
        Assert.That(batches.Select(b => b.Count), Is.EqualTo(new[] { 4, 4, 2 }));
        Assert.That(batches[0].Inputs["input"].AsFloats()[0], Is.EqualTo(raw[16 + (1990 * 784)] / 255f).Within(1e-7));
        Assert.That(batches[0].Labels, Is.Null);
    }

    [Test]
    public void Reads_uncompressed_idx_into_a_flat_input()
    {
        var path = WriteIdx([0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 255, 51, 102, 153, 204]);
        try
        {
            var source = new IdxImageSource([Float("x", null, 2)], path, null, PixelNormalization.UnitRange, DataSlice.All);
            var batch = source.ReadBatches(8).Single();
            Assert.That(batch.Inputs["x"].Shape, Is.EqualTo(new long[] { 3, 2 }));
            Assert.That(batch.Inputs["x"].AsFloats(), Is.EqualTo(new[] { 0f, 1f, 0.2f, 0.4f, 0.6f, 0.8f }).Within(1e-6));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void A_truncated_file_is_refused()
    {
        var path = WriteIdx([0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 255, 51]);
        try
        {
            var error = Assert.Throws<InvalidInputDataException>(() =>
                new IdxImageSource([Float("x", null, 2)], path, null, PixelNormalization.UnitRange, DataSlice.All));
            Assert.That(error!.FilePath, Is.EqualTo(path));
            Assert.That(error.Reason, Does.Contain("needs 6 bytes"));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void Labels_of_another_length_are_refused()
    {
        var error = Assert.Throws<InvalidInputDataException>(() => new IdxImageSource(
            [Float("input", null, 1, 28, 28)], TestFiles.ModelData(Images), TestFiles.ModelData("fmnist-train-512-labels-idx1-ubyte.gz"), FashionMnist, DataSlice.All));
        Assert.That(error!.Reason, Does.Contain("512 labels").And.Contain("2000 images"));
    }

    [Test]
    public void Images_that_do_not_fit_the_input_are_refused()
    {
        Assert.Throws<InvalidInputDataException>(() =>
            new IdxImageSource([Float("input", null, 3, 32, 32)], TestFiles.ModelData(Images), null, FashionMnist, DataSlice.All));
    }

    private static string WriteIdx(byte[] bytes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"idx-{Guid.NewGuid():N}");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
