using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.Execution;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Tests.Data;

// Fixtures are written by Fixtures/make_fixtures.py with numpy; the expected values are its formulas over base = arange(6).reshape(2, 3).
public class NpyArrayTests
{
    private static readonly int[] Base = [0, 1, 2, 3, 4, 5];

    private static TensorData ReadFixture(string name)
    {
        using var stream = File.OpenRead(TestFiles.Fixture(name));
        return NpyArray.Read(stream, name);
    }

    [TestCase("f4.npy")]
    [TestCase("f4-v2.npy")]
    [TestCase("f4-v3.npy")]
    public void Reads_float32_in_every_header_version(string name)
    {
        var tensor = ReadFixture(name);
        Assert.That(tensor.ElementType, Is.EqualTo(DataType.Float));
        Assert.That(tensor.Shape, Is.EqualTo(new long[] { 2, 3 }));
        Assert.That(tensor.AsFloats(), Is.EqualTo(Base.Select(v => v * 0.5f).ToArray()));
    }

    [Test]
    public void Reads_every_supported_element_type()
    {
        Assert.That((double[])ReadFixture("f8.npy").Values, Is.EqualTo(Base.Select(v => v * 0.25).ToArray()));
        Assert.That((long[])ReadFixture("i8.npy").Values, Is.EqualTo(Base.Select(v => v - 2L).ToArray()));
        Assert.That((int[])ReadFixture("i4.npy").Values, Is.EqualTo(Base.Select(v => v * 3).ToArray()));
        Assert.That((byte[])ReadFixture("u1.npy").Values, Is.EqualTo(Base.Select(v => (byte)(v * 40)).ToArray()));
        Assert.That((bool[])ReadFixture("b1.npy").Values, Is.EqualTo(Base.Select(v => v % 2 == 1).ToArray()));
    }

    [TestCase("fortran.npy", "Fortran")]
    [TestCase("big-endian.npy", "big-endian")]
    public void Refuses_layouts_it_does_not_read(string name, string reason)
    {
        var error = Assert.Throws<InvalidInputDataException>(() => ReadFixture(name));
        Assert.That(error!.Message, Does.Contain(reason).And.Contain(name));
    }

    [Test]
    public void A_truncated_file_is_reported_with_its_name()
    {
        var bytes = File.ReadAllBytes(TestFiles.Fixture("f4.npy"));
        using var stream = new MemoryStream(bytes[..^5]);
        var error = Assert.Throws<InvalidInputDataException>(() => NpyArray.Read(stream, "cut.npy"));
        Assert.That(error!.FilePath, Is.EqualTo("cut.npy"));
        Assert.That(error.Reason, Does.Contain("ends early"));
    }

    [Test]
    public void A_file_without_the_magic_is_refused()
    {
        using var stream = new MemoryStream("not numpy at all"u8.ToArray());
        Assert.Throws<InvalidInputDataException>(() => NpyArray.Read(stream, "text.npy"));
    }
}
