namespace OnnxLowRank.Onnx.Tests;

/// <summary>Expected patterns are derived by hand from the IEEE single layout (sign, 8 exponent, 23 fraction bits).</summary>
public sealed class BFloat16Tests
{
    [TestCase(0x3F800000u, (ushort)0x3F80, TestName = "1.0 is exact")]
    [TestCase(0xC0000000u, (ushort)0xC000, TestName = "-2.0 is exact")]
    [TestCase(0x80000000u, (ushort)0x8000, TestName = "negative zero keeps its sign")]
    [TestCase(0x3F807FFFu, (ushort)0x3F80, TestName = "just below half an ulp rounds down")]
    [TestCase(0x3F808000u, (ushort)0x3F80, TestName = "tie rounds to even (down)")]
    [TestCase(0x3F818000u, (ushort)0x3F82, TestName = "tie rounds to even (up)")]
    [TestCase(0x3F808001u, (ushort)0x3F81, TestName = "just above half an ulp rounds up")]
    [TestCase(0xBF808001u, (ushort)0xBF81, TestName = "negative values round by magnitude")]
    [TestCase(0x3FFFFFFFu, (ushort)0x4000, TestName = "carry into the exponent")]
    [TestCase(0x7F7FFFFFu, (ushort)0x7F80, TestName = "float max rounds to infinity")]
    [TestCase(0x7F7F7FFFu, (ushort)0x7F7F, TestName = "largest value that stays finite")]
    [TestCase(0x7F800000u, (ushort)0x7F80, TestName = "+infinity")]
    [TestCase(0xFF800000u, (ushort)0xFF80, TestName = "-infinity")]
    [TestCase(0x00000001u, (ushort)0x0000, TestName = "smallest subnormal rounds to zero")]
    [TestCase(0x00018000u, (ushort)0x0002, TestName = "subnormal tie rounds to even")]
    [TestCase(0x7FC00000u, (ushort)0x7FC0, TestName = "quiet NaN")]
    [TestCase(0xFFC00000u, (ushort)0xFFC0, TestName = "negative quiet NaN")]
    [TestCase(0x7F800001u, (ushort)0x7FC0, TestName = "NaN with low payload stays NaN, not infinity")]
    [TestCase(0x7FFFFFFFu, (ushort)0x7FFF, TestName = "NaN whose rounding would carry into the sign stays NaN")]
    public void FloatRoundsToNearestEven(uint floatBits, ushort expected)
    {
        var value = BitConverter.UInt32BitsToSingle(floatBits);
        Assert.That(BFloat16.FromSingle(value), Is.EqualTo(expected));
        var tensor = TensorCodec.FromFloats("t", [1], [value], Protos.TensorProto.Types.DataType.Bfloat16);
        Assert.That(tensor.RawData.ToByteArray(), Is.EqualTo(new[] { (byte)expected, (byte)(expected >> 8) }));
    }

    private const double UlpHalf = 0.00390625; // 2^-8: 1 + 2^-8 is the midpoint between bfloat16 0x3F80 (1.0) and 0x3F81
    private const double Nudge = 9.094947017729282379150390625E-13; // 2^-40: below float precision at 1.0

    [TestCase(1 + UlpHalf, (ushort)0x3F80, TestName = "double tie rounds to even")]
    [TestCase(1 + UlpHalf + Nudge, (ushort)0x3F81, TestName = "double just above a tie rounds up (no double rounding via float)")]
    [TestCase(1 + UlpHalf - Nudge, (ushort)0x3F80, TestName = "double just below a tie rounds down")]
    [TestCase(-(1 + UlpHalf + Nudge), (ushort)0xBF81, TestName = "negative double just above a tie")]
    [TestCase(1 + 3 * UlpHalf, (ushort)0x3F82, TestName = "double tie rounds to even (up)")]
    [TestCase(1e300, (ushort)0x7F80, TestName = "huge double overflows to infinity")]
    [TestCase(1e-300, (ushort)0x0000, TestName = "tiny double underflows to zero")]
    [TestCase(double.NegativeInfinity, (ushort)0xFF80, TestName = "double -infinity")]
    public void DoubleRoundsOnceToNearestEven(double value, ushort expected)
    {
        Assert.That(BFloat16.FromDouble(value), Is.EqualTo(expected));
    }

    [Test]
    public void DoubleNaNStaysNaN()
    {
        var bits = BFloat16.FromDouble(double.NaN);
        Assert.That(bits & 0x7F80, Is.EqualTo(0x7F80), "exponent all ones");
        Assert.That(bits & 0x007F, Is.Not.Zero, "non-zero fraction");
    }

    [TestCase((ushort)0x3F80, 1.0f)]
    [TestCase((ushort)0xC000, -2.0f)]
    [TestCase((ushort)0x3E80, 0.25f)]
    [TestCase((ushort)0x4049, 3.140625f)]
    [TestCase((ushort)0x7F80, float.PositiveInfinity)]
    [TestCase((ushort)0x0001, 9.183549615799121E-41f)] // 2^-133, the smallest bfloat16 subnormal
    public void DecodesToTheFloatWithTheSameTopBits(ushort bits, float expected)
    {
        Assert.That(BFloat16.ToSingle(bits), Is.EqualTo(expected));
        var tensor = new Protos.TensorProto { DataType = (int)Protos.TensorProto.Types.DataType.Bfloat16 };
        tensor.Int32Data.Add(bits);
        Assert.That(TensorCodec.ToDoubles(tensor), Is.EqualTo(new[] { (double)expected }));
    }
}
