using OnnxLowRank.Core.Data;
using static OnnxLowRank.Core.Tests.Data.Descriptors;

namespace OnnxLowRank.Core.Tests.Data;

public class DataSourceOpenerTests
{
    [Test]
    public void Each_kind_of_data_opens_its_source()
    {
        var options = new DataSourceOptions();
        Assert.That(DataSourceOpener.Open("random", [Float("x", null, 2, 3)], options), Is.TypeOf<RandomDataSource>());
        Assert.That(DataSourceOpener.Open(TestFiles.Fixture("named.npz"), [Float("x", null, 2, 3)], options), Is.TypeOf<NumpyDataSource>());
        Assert.That(DataSourceOpener.Open(TestFiles.ModelData("fmnist-train-512-images-idx3-ubyte.gz"), [Float("input", null, 1, 28, 28)], options),
            Is.TypeOf<IdxImageSource>());
        Assert.That(DataSourceOpener.Open(TestFiles.OnnxTestCase("pytorch-converted/test_Conv2d"), [Float("0", 2, 3, 7, 5)], options),
            Is.TypeOf<TensorProtoFolderSource>());
    }

    [Test]
    public void A_missing_or_unknown_file_is_a_data_error_naming_it()
    {
        var missing = Assert.Throws<InvalidInputDataException>(() => DataSourceOpener.Open("/no/such/file.gz", [Float("x", 1)], new DataSourceOptions()));
        Assert.That(missing!.FilePath, Is.EqualTo("/no/such/file.gz"));
        var unknown = Assert.Throws<InvalidInputDataException>(() =>
            DataSourceOpener.Open(TestFiles.Fixture("make_fixtures.py"), [Float("x", 1)], new DataSourceOptions()));
        Assert.That(unknown!.Reason, Does.Contain("not recognised"));
    }

    [Test]
    public void Offset_past_the_end_is_refused()
    {
        var options = new DataSourceOptions { Slice = new DataSlice(600) };
        Assert.Throws<InvalidInputDataException>(() =>
            DataSourceOpener.Open(TestFiles.ModelData("fmnist-train-512-images-idx3-ubyte.gz"), [Float("input", null, 1, 28, 28)], options));
    }
}
