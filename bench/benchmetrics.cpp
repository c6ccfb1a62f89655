// The producer side of core/metrics (PipelineMetrics): ns per add() and per recordEndToEndLatency() as the
// calling thread sees them (wall time) and as CPU time per call (unaffected by other processes), from 1 and 2
// threads on one PipelineMetrics, with the real clock (so each call reads it, and the once-a-second roll into the
// rings is paid inside the loop, as in the pipeline). Median of several runs. Also the readers' cost, with an hour
// of history: snapshot() and series(3600) (360 points).
//   benchmetrics [--calls 20000000] [--runs 5]
// One JSON line on stdout.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <thread>
#include <vector>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>

#include "core/metrics/pipelinemetrics.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq::Metrics;

namespace
{
    enum class Call
    {
        Add,
        Latency
    };

    qint64 threadCpuNs()
    {
        timespec now;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
        return qint64(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
    }

    struct Cost
    {
        double wallNs = 0;   // wall time / calls per thread: what a caller waits, other processes included
        double cpuNs = 0;    // CPU time of a thread / its calls: the cost itself, whatever else the machine runs
    };

    Cost costPerCall(Call call, int threads, qint64 calls)
    {
        PipelineMetrics metrics;
        std::atomic<int> ready {0};
        std::atomic<bool> go {false};
        std::atomic<qint64> cpuNs {0};
        std::vector<std::thread> workers;
        for (int t = 0; t < threads; ++t) {
            workers.emplace_back([&, t] {
                ++ready;
                while (!go.load(std::memory_order_acquire)) { }
                const qint64 cpuStart = threadCpuNs();
                if (call == Call::Add) {
                    for (qint64 i = 0; i < calls; ++i)
                        metrics.add(Stage(i & 3));
                } else {
                    // 20 ms .. 122 ms: a spread of buckets, as real latencies have.
                    for (qint64 i = 0; i < calls; ++i)
                        metrics.recordEndToEndLatency(20'000 + (i & 1023) * 100 + t);
                }
                cpuNs += threadCpuNs() - cpuStart;
            });
        }
        while (ready.load() < threads) { }
        QElapsedTimer timer;
        timer.start();
        go.store(true, std::memory_order_release);
        for (std::thread &worker : workers)
            worker.join();
        const Cost cost {double(timer.nsecsElapsed()) / double(calls), double(cpuNs.load()) / double(calls * threads)};
        const Snapshot snapshot = metrics.snapshot();
        const qint64 counted = snapshot.total(Stage::Published) + snapshot.total(Stage::Pulled) + snapshot.total(Stage::Inserted)
            + snapshot.total(Stage::DeadLettered) + qint64(snapshot.latencyCount);
        if (counted != calls * threads) {
            fprintf(stderr, "benchmetrics: counted %lld calls of %lld\n", counted, calls * threads);
            std::exit(1);
        }
        return cost;
    }

    double medianOf(std::vector<double> values)
    {
        std::sort(values.begin(), values.end());
        return values[values.size() / 2];
    }

    Cost medianCost(int runs, Call call, int threads, qint64 calls)
    {
        std::vector<double> wall;
        std::vector<double> cpu;
        for (int i = 0; i < runs; ++i) {
            const Cost cost = costPerCall(call, threads, calls);
            wall.push_back(cost.wallNs);
            cpu.push_back(cost.cpuNs);
        }
        return {medianOf(wall), medianOf(cpu)};
    }

    // A reader's cost with an hour of history in the rings (a clock moved by hand).
    double usPerRead(bool series)
    {
        qint64 nowMs = 1'700'000'040'000;
        PipelineMetrics metrics([&nowMs] { return nowMs; });
        for (int s = 0; s < 3600; ++s) {
            metrics.add(Stage::Published, 100);
            for (int i = 0; i < 100; ++i)
                metrics.recordEndToEndLatency(20'000 + (i & 1023) * 100);
            nowMs += 1000;
        }
        constexpr int Reads = 2000;
        QElapsedTimer timer;
        timer.start();
        qint64 sink = 0;
        for (int i = 0; i < Reads; ++i)
            sink += series ? metrics.series(3600).points.size() : metrics.snapshot().totals[0];
        const double us = double(timer.nsecsElapsed()) / 1000 / Reads;
        return sink < 0 ? 0 : us;
    }
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption callsOption(u"calls"_s, u"Calls per thread and run."_s, u"n"_s, u"20000000"_s);
    const QCommandLineOption runsOption(u"runs"_s, u"Runs; the median is reported."_s, u"n"_s, u"5"_s);
    parser.addOptions({callsOption, runsOption});
    parser.process(app);
    const qint64 calls = qMax(1LL, parser.value(callsOption).toLongLong());
    const int runs = qMax(1, parser.value(runsOption).toInt());

    const Cost add1 = medianCost(runs, Call::Add, 1, calls);
    const Cost add2 = medianCost(runs, Call::Add, 2, calls);
    const Cost latency1 = medianCost(runs, Call::Latency, 1, calls);
    const Cost latency2 = medianCost(runs, Call::Latency, 2, calls);
    std::vector<double> snapshotUs;
    std::vector<double> seriesUs;
    for (int i = 0; i < runs; ++i) {
        snapshotUs.push_back(usPerRead(false));
        seriesUs.push_back(usPerRead(true));
    }
    printf("{\"calls_per_thread\":%lld,\"runs\":%d,"
           "\"add_ns_1_thread\":%.1f,\"add_ns_2_threads\":%.1f,\"add_cpu_ns_1_thread\":%.1f,\"add_cpu_ns_2_threads\":%.1f,"
           "\"latency_ns_1_thread\":%.1f,\"latency_ns_2_threads\":%.1f,\"latency_cpu_ns_1_thread\":%.1f,\"latency_cpu_ns_2_threads\":%.1f,"
           "\"snapshot_us\":%.1f,\"series_3600_us\":%.1f}\n",
           calls, runs, add1.wallNs, add2.wallNs, add1.cpuNs, add2.cpuNs, latency1.wallNs, latency2.wallNs, latency1.cpuNs,
           latency2.cpuNs, medianOf(snapshotUs), medianOf(seriesUs));
    return 0;
}
