using Google.Protobuf;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Onnx.Tests;

public sealed class TensorCodecTests
{
    [Test]
    public void EveryFloat16PatternDecodesAsSystemHalf()
    {
        var bits = Enumerable.Range(0, 1 << 16).Select(i => (ushort)i).ToArray();
        var raw = new byte[bits.Length * 2];
        Buffer.BlockCopy(bits, 0, raw, 0, raw.Length);
        var tensor = new TensorProto { DataType = (int)DataType.Float16, RawData = ByteString.CopyFrom(raw) };
        tensor.Dims.Add(bits.Length);

        var decoded = TensorCodec.ToDoubles(tensor);
        var decodedFloats = TensorCodec.ToFloats(tensor);
        for (var i = 0; i < bits.Length; i++)
        {
            var half = BitConverter.UInt16BitsToHalf(bits[i]);
            Assert.That(decoded[i], Is.EqualTo((double)half), $"0x{bits[i]:X4}");
            Assert.That(decodedFloats[i], Is.EqualTo((float)half), $"0x{bits[i]:X4}");
        }
    }

    [TestCase(DataType.Float, false)]
    [TestCase(DataType.Float, true)]
    [TestCase(DataType.Double, false)]
    [TestCase(DataType.Float16, false)]
    [TestCase(DataType.Bfloat16, true)]
    public void RangesDecodeLikeTheSameRangeOfTheWholeTensor(DataType type, bool typedFields)
    {
        var values = Enumerable.Range(0, 1500).Select(i => Math.Sin(i) * 100).ToArray();
        var tensor = TensorCodec.FromDoubles("w", [30, 50], values, type);
        if (typedFields) MoveToTypedField(tensor, type);
        var whole = TensorCodec.ToDoubles(tensor);

        foreach (var (first, length) in new[] { (0, 1500), (0, 1), (1499, 1), (37, 600), (1000, 0) })
        {
            var part = new double[length];
            TensorCodec.ReadDoubles(tensor, first, part);
            Assert.That(part, Is.EqualTo(whole.AsSpan(first, length).ToArray()), $"elements {first}..{first + length}");
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => TensorCodec.ReadDoubles(tensor, 1400, new double[101]));
        Assert.Throws<ArgumentOutOfRangeException>(() => TensorCodec.ReadDoubles(tensor, -1, new double[1]));
    }

    [TestCase(0, double.NaN)]
    [TestCase(511, double.PositiveInfinity)]
    [TestCase(512, double.NegativeInfinity)]
    [TestCase(1499, double.NaN)]
    public void AllFiniteFindsANonFiniteValueWherever(int position, double value)
    {
        var values = Enumerable.Range(0, 1500).Select(i => (double)i).ToArray();
        Assert.That(TensorCodec.AllFinite(TensorCodec.FromDoubles("w", [1500], values, DataType.Float)), Is.True);
        values[position] = value;
        Assert.That(TensorCodec.AllFinite(TensorCodec.FromDoubles("w", [1500], values, DataType.Float)), Is.False);
    }

    private static void MoveToTypedField(TensorProto tensor, DataType type)
    {
        var decoded = TensorCodec.ToDoubles(tensor);
        tensor.ClearRawData();
        if (type == DataType.Float) tensor.FloatData.Add(decoded.Select(v => (float)v));
        else tensor.Int32Data.Add(Enumerable.Range(0, decoded.Length).Select(i => (int)BitConverter.ToUInt16(TensorCodec.FromDoubles("v", [1], [decoded[i]], type).RawData.Span)));
    }

    [Test]
    public void Float16EncodingRoundsLikeSystemHalf()
    {
        var random = new Random(7);
        var values = Enumerable.Range(0, 20_000).Select(_ => (random.NextDouble() - 0.5) * Math.Pow(2, random.Next(-30, 20)))
            .Concat([0.0, -0.0, 65504.0, 65520.0, 1e-8, double.PositiveInfinity, double.NegativeInfinity]).ToArray();
        var fromDoubles = TensorCodec.FromDoubles("h", [values.Length], values, DataType.Float16).RawData.Span;
        var floats = values.Select(v => (float)v).ToArray();
        var fromFloats = TensorCodec.FromFloats("h", [floats.Length], floats, DataType.Float16).RawData.Span;
        for (var i = 0; i < values.Length; i++)
        {
            Assert.That(BitConverter.ToUInt16(fromDoubles[(2 * i)..]), Is.EqualTo(BitConverter.HalfToUInt16Bits((Half)values[i])), $"{values[i]:R}");
            Assert.That(BitConverter.ToUInt16(fromFloats[(2 * i)..]), Is.EqualTo(BitConverter.HalfToUInt16Bits((Half)floats[i])), $"{floats[i]:R}");
        }
    }

    [Test]
    public void FloatAndDoubleRawDataIsLittleEndian()
    {
        var floats = TensorCodec.FromDoubles("f", [2], [1.0, -2.5], DataType.Float);
        Assert.That(floats.RawData.ToByteArray(), Is.EqualTo(new byte[] { 0, 0, 0x80, 0x3F, 0, 0, 0x20, 0xC0 }));
        var doubles = TensorCodec.FromFloats("d", [1], [1.0f], DataType.Double);
        Assert.That(doubles.RawData.ToByteArray(), Is.EqualTo(new byte[] { 0, 0, 0, 0, 0, 0, 0xF0, 0x3F }));
        Assert.That(floats.Name, Is.EqualTo("f"));
        Assert.That(floats.Dims, Is.EqualTo(new long[] { 2 }));
        Assert.That(floats.DataType, Is.EqualTo((int)DataType.Float));
    }

    [Test]
    public void DoubleToFloatRoundsToNearestEven()
    {
        // 1 + 2^-24 is the midpoint between float 1 and 1 + 2^-23; the tie goes to the even 1.0.
        var tensor = TensorCodec.FromDoubles("f", [2], [1 + 5.9604644775390625E-08, 1 + 5.9604644775390625E-08 + 1e-12], DataType.Float);
        Assert.That(TensorCodec.ToDoubles(tensor), Is.EqualTo(new[] { 1.0, 1 + 1.1920928955078125E-07 }));
    }

    [Test]
    public void TypedFieldsDecodeAsTheSpecDescribes()
    {
        var floats = new TensorProto { DataType = (int)DataType.Float };
        floats.Dims.Add([2, 2]);
        floats.FloatData.Add([1.5f, -2f, 0.25f, float.MaxValue]);
        Assert.That(TensorCodec.ToDoubles(floats), Is.EqualTo(new[] { 1.5, -2, 0.25, (double)float.MaxValue }));
        Assert.That(TensorCodec.ToFloats(floats), Is.EqualTo(new[] { 1.5f, -2f, 0.25f, float.MaxValue }));

        var doubles = new TensorProto { DataType = (int)DataType.Double };
        doubles.Dims.Add(2);
        doubles.DoubleData.Add([1e300, -0.1]);
        Assert.That(TensorCodec.ToDoubles(doubles), Is.EqualTo(new[] { 1e300, -0.1 }));
        Assert.That(TensorCodec.ToFloats(doubles), Is.EqualTo(new[] { float.PositiveInfinity, -0.1f }));

        // fp16 bit patterns in the low 16 bits of int32_data: 1.0, -2.0, 65504 (max), 2^-24 (smallest subnormal).
        var halves = new TensorProto { DataType = (int)DataType.Float16 };
        halves.Dims.Add(4);
        halves.Int32Data.Add([0x3C00, 0xC000, 0x7BFF, 0x0001]);
        Assert.That(TensorCodec.ToDoubles(halves), Is.EqualTo(new[] { 1.0, -2.0, 65504.0, 5.9604644775390625E-08 }));
    }

    [Test]
    public void ScalarHasOneElement()
    {
        var scalar = TensorCodec.FromFloats("s", [], [3f], DataType.Float);
        Assert.That(TensorCodec.ElementCount(scalar), Is.EqualTo(1));
        Assert.That(TensorCodec.ToFloats(scalar), Is.EqualTo(new[] { 3f }));
    }

    [Test]
    public void RawDataOfTheWrongLengthIsRefused()
    {
        var tensor = new TensorProto { Name = "w", DataType = (int)DataType.Float, RawData = ByteString.CopyFrom(new byte[10]) };
        tensor.Dims.Add(3);
        var error = Assert.Throws<InvalidModelException>(() => TensorCodec.ToDoubles(tensor));
        Assert.That(error!.Subject, Is.EqualTo("w"));
    }

    [Test]
    public void TypedFieldOfTheWrongLengthIsRefused()
    {
        var tensor = new TensorProto { Name = "w", DataType = (int)DataType.Float };
        tensor.Dims.Add(3);
        tensor.FloatData.Add(1f);
        Assert.Throws<InvalidModelException>(() => TensorCodec.ToFloats(tensor));
    }

    [Test]
    public void NonFloatingPointTypesAreUnsupported()
    {
        var tensor = new TensorProto { Name = "ids", DataType = (int)DataType.Int64 };
        tensor.Int64Data.Add(1);
        Assert.Throws<UnsupportedModelException>(() => TensorCodec.ToDoubles(tensor));
        Assert.Throws<ArgumentOutOfRangeException>(() => TensorCodec.FromDoubles("x", [1], [1.0], DataType.Int32));
    }

    [TestCase(DataType.Float, true)]
    [TestCase(DataType.Double, true)]
    [TestCase(DataType.Float16, true)]
    [TestCase(DataType.Bfloat16, true)]
    [TestCase(DataType.Int8, false)]
    [TestCase(DataType.Float8E4M3Fn, false)]
    [TestCase(DataType.Complex64, false)]
    public void FloatingPointTypesAreTheFourTheCodecHandles(DataType type, bool expected) =>
        Assert.That(TensorCodec.IsFloatingPoint((int)type), Is.EqualTo(expected));

    [Test]
    public void DimsThatOverflowAreRefusedNamingTheTensor()
    {
        var tensor = new TensorProto { Name = "huge", DataType = (int)DataType.Float };
        tensor.Dims.Add([1L << 40, 1L << 40]);
        var error = Assert.Throws<InvalidModelException>(() => TensorCodec.ElementCount(tensor));
        Assert.That(error!.Message, Does.Contain("'huge'"));
    }

    [Test]
    public void NegativeDimsAreRefusedNamingTheTensor()
    {
        var tensor = new TensorProto { Name = "neg", DataType = (int)DataType.Float };
        tensor.Dims.Add([2, -3]);
        var error = Assert.Throws<InvalidModelException>(() => TensorCodec.ElementCount(tensor));
        Assert.That(error!.Message, Does.Contain("'neg'"));
    }

    [Test]
    public void ValueCountMustMatchDims()
    {
        Assert.Throws<ArgumentException>(() => TensorCodec.FromFloats("x", [2, 2], [1f, 2f, 3f], DataType.Float));
    }
}
