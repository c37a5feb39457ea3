using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Validation;

namespace OnnxLowRank.Core.Tests.Validation;

public class OutputComparisonAccumulatorTests
{
    // a = [[1,2,3],[3,2,1]], b = [[1,2,4],[1,2,3]], labels [2, 1]. By hand:
    // argmax a = (2, 0), argmax b = (2, 2): agreement 1/2; accuracy 1/2 for both.
    // a - b = (0,0,-1,2,0,-2): max |d| = 2, ||d|| = 3; ||a||^2 = 28, ||b||^2 = 35, a.b = 27.
    private static readonly float[] A = [1, 2, 3, 3, 2, 1];
    private static readonly float[] B = [1, 2, 4, 1, 2, 3];

    [Test]
    public void Matches_the_metrics_worked_by_hand()
    {
        var acc = new OutputComparisonAccumulator("logits");
        acc.Add(TensorData.FromFloats([2, 3], A), TensorData.FromFloats([2, 3], B), [2, 1]);
        AssertHandResult(acc.Result());
    }

    [Test]
    public void Gives_the_same_result_batch_by_batch()
    {
        var acc = new OutputComparisonAccumulator("logits");
        acc.Add(TensorData.FromFloats([1, 3], A[..3]), TensorData.FromFloats([1, 3], B[..3]), [2]);
        acc.Add(TensorData.FromFloats([1, 3], A[3..]), TensorData.FromFloats([1, 3], B[3..]), [1]);
        AssertHandResult(acc.Result());
    }

    [Test]
    public void A_single_value_output_is_not_a_classifier()
    {
        var acc = new OutputComparisonAccumulator("score");
        acc.Add(TensorData.FromFloats([2, 1], [3, 4]), TensorData.FromFloats([2, 1], [3, 4]), [0, 0]);
        var result = acc.Result();
        Assert.That(result.IsClassifier, Is.False);
        Assert.That(result.TopOneAgreement, Is.Null);
        Assert.That(result.OriginalAccuracy, Is.Null);
        Assert.That(result.RelativeL2Error, Is.Zero);
        Assert.That(result.CosineSimilarity, Is.EqualTo(1.0).Within(1e-15));
    }

    [Test]
    public void An_image_shaped_map_is_not_a_classifier_but_its_errors_are_measured()
    {
        // A = [1,2,3,3,2,1] as a [1, 1, 2, 3] probability map: its last axis is a width, not classes.
        var acc = new OutputComparisonAccumulator("map");
        acc.Add(TensorData.FromFloats([1, 1, 2, 3], A), TensorData.FromFloats([1, 1, 2, 3], B), null);
        var result = acc.Result();
        Assert.That(result.IsClassifier, Is.False);
        Assert.That(result.TopOneAgreement, Is.Null);
        Assert.That(result.MaxAbsoluteError, Is.EqualTo(2.0));
        Assert.That(result.RelativeL2Error, Is.EqualTo(3.0 / Math.Sqrt(28)).Within(1e-12));
    }

    [Test]
    public void Zero_outputs_give_the_documented_limits()
    {
        var acc = new OutputComparisonAccumulator("zero");
        acc.Add(TensorData.FromFloats([2], [0, 0]), TensorData.FromFloats([2], [0, 1]), null);
        var result = acc.Result();
        Assert.That(result.RelativeL2Error, Is.EqualTo(double.PositiveInfinity));
        Assert.That(result.CosineSimilarity, Is.Zero);
    }

    [Test]
    public void Different_shapes_are_refused()
    {
        var acc = new OutputComparisonAccumulator("y");
        Assert.Throws<ArgumentException>(() => acc.Add(TensorData.FromFloats([2, 3], A), TensorData.FromFloats([3, 2], B), null));
    }

    private static void AssertHandResult(OutputComparison r)
    {
        Assert.That(r.Elements, Is.EqualTo(6));
        Assert.That(r.Rows, Is.EqualTo(2));
        Assert.That(r.IsClassifier, Is.True);
        Assert.That(r.TopOneAgreement, Is.EqualTo(0.5));
        Assert.That(r.OriginalAccuracy, Is.EqualTo(0.5));
        Assert.That(r.CompressedAccuracy, Is.EqualTo(0.5));
        Assert.That(r.AccuracyDropPoints, Is.EqualTo(0.0));
        Assert.That(r.MaxAbsoluteError, Is.EqualTo(2.0));
        Assert.That(r.RelativeL2Error, Is.EqualTo(3.0 / Math.Sqrt(28)).Within(1e-12));
        Assert.That(r.CosineSimilarity, Is.EqualTo(27.0 / Math.Sqrt(28 * 35)).Within(1e-12));
    }
}
