// The benchmark suite (issue #7): compression cost, inference speed, quality and numerics in one run.
//
//   dotnet run -c Release --project tools/Bench -- [--quick] [--out DIR]
//
// Without --out a full run rewrites the generated part of docs/benchmarks.md and the HTML reports in
// docs/bench/; --quick (for CI) checks that every figure is sane and exits non-zero when one is not.

using OnnxLowRank.Bench;

if (args is [ChildRun.Verb, var measurementPath, "--", .. var cliArgs])
    return ChildRun.Execute(measurementPath, cliArgs);

var options = BenchOptions.Parse(args, Console.Error);
if (options is null) return 2;
return new BenchRun(options, Console.Out).Execute();
