namespace OnnxLowRank.Cli.Tests.Commands;

public class AllPairsTests
{
    [Test]
    public void Every_pair_of_values_of_every_two_parameters_is_in_some_case()
    {
        int[] counts = [3, 5, 2, 4, 4];
        var cases = AllPairs.Cases(counts);

        var covered = cases.SelectMany(AllPairs.Covered).ToHashSet();
        for (var p = 0; p < counts.Length; p++)
            for (var q = p + 1; q < counts.Length; q++)
                for (var a = 0; a < counts[p]; a++)
                    for (var b = 0; b < counts[q]; b++)
                        Assert.That(covered, Does.Contain((p, a, q, b)), $"parameter {p}={a} with {q}={b}");
        // At least the product of the two largest counts; far fewer than the full product of 480.
        Assert.That(cases.Count, Is.InRange(20, 40));
        Assert.That(cases.All(c => c.Zip(counts).All(v => v.First >= 0 && v.First < v.Second)), Is.True);
    }
}
