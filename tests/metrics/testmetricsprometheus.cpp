#include <cmath>
#include <optional>

#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QtTest>

#include "core/metrics/pipelinemetrics.h"
#include "core/metrics/prometheusformat.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq::Metrics;

namespace
{
    // A strict reader of the text exposition format 0.0.4, as much of it as a scraper relies on: every line is a
    // HELP, TYPE or other comment, or `name{label="value",...} value [timestamp]`; names and label names are
    // valid; each family has its HELP and TYPE (once each) before its samples, and its lines are not interleaved
    // with another family's; samples are unique; a summary's samples are name{quantile=...}, name_sum, name_count.
    struct Sample
    {
        QByteArray name;
        QMap<QByteArray, QByteArray> labels;
        double value = 0;
    };

    struct Family
    {
        QByteArray help;
        QByteArray type;
        QList<Sample> samples;
    };

    struct Exposition
    {
        QMap<QByteArray, Family> families;
        QString error;

        std::optional<double> value(const QByteArray &name, const QByteArray &labelName = {}, const QByteArray &labelValue = {}) const
        {
            for (const Family &family : families) {
                for (const Sample &sample : family.samples) {
                    if (sample.name == name && (labelName.isEmpty() || sample.labels.value(labelName) == labelValue))
                        return sample.value;
                }
            }
            return std::nullopt;
        }
    };

    const QRegularExpression MetricName(u"^[a-zA-Z_:][a-zA-Z0-9_:]*$"_s);
    const QRegularExpression LabelName(u"^[a-zA-Z_][a-zA-Z0-9_]*$"_s);

    std::optional<double> parseValue(const QByteArray &text)
    {
        if (text == "NaN")
            return std::nan("");
        if (text == "+Inf")
            return HUGE_VAL;
        if (text == "-Inf")
            return -HUGE_VAL;
        bool ok = false;
        const double value = text.toDouble(&ok);
        return ok ? std::optional<double>(value) : std::nullopt;
    }

    // name{labels} value: returns the error, empty when the line is good.
    QString parseSample(const QByteArray &line, Sample &sample)
    {
        qsizetype i = 0;
        while (i < line.size() && line[i] != '{' && line[i] != ' ')
            ++i;
        sample.name = line.left(i);
        if (!MetricName.match(QString::fromLatin1(sample.name)).hasMatch())
            return u"bad metric name"_s;
        if (i < line.size() && line[i] == '{') {
            ++i;
            while (i < line.size() && line[i] != '}') {
                const qsizetype equals = line.indexOf('=', i);
                if (equals < 0)
                    return u"label without '='"_s;
                const QByteArray name = line.mid(i, equals - i);
                if (!LabelName.match(QString::fromLatin1(name)).hasMatch() || name.startsWith("__"))
                    return u"bad label name"_s;
                if (equals + 1 >= line.size() || line[equals + 1] != '"')
                    return u"label value not quoted"_s;
                QByteArray value;
                i = equals + 2;
                for (; i < line.size() && line[i] != '"'; ++i) {
                    if (line[i] == '\\') {
                        if (++i >= line.size() || (line[i] != '\\' && line[i] != '"' && line[i] != 'n'))
                            return u"bad escape in a label value"_s;
                        value += line[i] == 'n' ? '\n' : line[i];
                    } else {
                        value += line[i];
                    }
                }
                if (i >= line.size())
                    return u"unterminated label value"_s;
                if (sample.labels.contains(name))
                    return u"repeated label"_s;
                sample.labels.insert(name, value);
                ++i;
                if (i < line.size() && line[i] == ',')
                    ++i;
            }
            if (i >= line.size())
                return u"unterminated label set"_s;
            ++i;
        }
        if (i >= line.size() || line[i] != ' ')
            return u"no space before the value"_s;
        const QList<QByteArray> rest = line.mid(i + 1).split(' ');
        if (rest.size() > 2)
            return u"too many fields"_s;
        const std::optional<double> value = parseValue(rest[0]);
        if (!value)
            return u"bad value"_s;
        sample.value = *value;
        bool ok = true;
        if (rest.size() == 2)
            rest[1].toLongLong(&ok);
        return ok ? QString() : u"bad timestamp"_s;
    }

    Exposition parse(const QByteArray &text)
    {
        Exposition result;
        auto fail = [&result](int lineNumber, const QString &why) {
            result.error = u"line %1: %2"_s.arg(lineNumber).arg(why);
            return result;
        };
        if (!text.endsWith('\n'))
            return fail(0, u"the text does not end with a newline"_s);
        QList<QByteArray> lines = text.split('\n');
        lines.removeLast();
        QByteArray current;                    // the family whose lines we are in
        QSet<QByteArray> finished;             // families whose lines are over
        QSet<QByteArray> seenSamples;
        auto enter = [&](const QByteArray &family) {
            if (family == current)
                return true;
            if (finished.contains(family))
                return false;
            if (!current.isEmpty())
                finished.insert(current);
            current = family;
            return true;
        };
        for (int n = 1; n <= lines.size(); ++n) {
            const QByteArray &line = lines[n - 1];
            if (line.isEmpty())
                return fail(n, u"empty line"_s);
            if (line.startsWith('#')) {
                const QList<QByteArray> words = line.split(' ');
                if (words.size() < 3 || words[0] != "#" || (words[1] != "HELP" && words[1] != "TYPE"))
                    continue;   // a plain comment
                const QByteArray name = words[2];
                if (!MetricName.match(QString::fromLatin1(name)).hasMatch())
                    return fail(n, u"bad metric name in %1"_s.arg(QString::fromLatin1(words[1])));
                if (!enter(name))
                    return fail(n, u"family %1 interleaved with another"_s.arg(QString::fromLatin1(name)));
                Family &family = result.families[name];
                if (!family.samples.isEmpty())
                    return fail(n, u"HELP or TYPE after samples"_s);
                if (words[1] == "HELP") {
                    if (!family.help.isEmpty())
                        return fail(n, u"second HELP"_s);
                    family.help = line.mid(7 + name.size() + 1);
                    if (family.help.isEmpty())
                        return fail(n, u"empty HELP"_s);
                } else {
                    static const QList<QByteArray> types {"counter", "gauge", "summary", "histogram", "untyped"};
                    if (!family.type.isEmpty())
                        return fail(n, u"second TYPE"_s);
                    if (words.size() != 4 || !types.contains(words[3]))
                        return fail(n, u"bad TYPE"_s);
                    family.type = words[3];
                }
                continue;
            }
            Sample sample;
            if (const QString why = parseSample(line, sample); !why.isEmpty())
                return fail(n, why);
            // Which family: the name itself, or a summary's _sum/_count.
            QByteArray familyName = sample.name;
            for (const QByteArray &suffix : {"_sum"_ba, "_count"_ba}) {
                const QByteArray base = sample.name.chopped(qMin(sample.name.size(), suffix.size()));
                if (sample.name.endsWith(suffix) && result.families.value(base).type == "summary")
                    familyName = base;
            }
            if (!result.families.contains(familyName))
                return fail(n, u"sample %1 before its HELP and TYPE"_s.arg(QString::fromLatin1(sample.name)));
            Family &family = result.families[familyName];
            if (family.help.isEmpty() || family.type.isEmpty())
                return fail(n, u"family without HELP or TYPE"_s);
            if (!enter(familyName))
                return fail(n, u"family %1 interleaved with another"_s.arg(QString::fromLatin1(familyName)));
            if (family.type == "summary") {
                const bool quantileSample = sample.name == familyName;
                if (quantileSample != sample.labels.contains("quantile"))
                    return fail(n, u"summary sample with a misplaced quantile label"_s);
                if (quantileSample) {
                    const std::optional<double> q = parseValue(sample.labels.value("quantile"));
                    if (!q || *q < 0 || *q > 1)
                        return fail(n, u"bad quantile"_s);
                }
            }
            if (family.type == "counter" && (std::isnan(sample.value) || sample.value < 0))
                return fail(n, u"counter not a non-negative number"_s);
            QByteArray key = sample.name;
            for (auto it = sample.labels.cbegin(); it != sample.labels.cend(); ++it)
                key += '\0' + it.key() + '=' + it.value();
            if (seenSamples.contains(key))
                return fail(n, u"duplicate sample"_s);
            seenSamples.insert(key);
            family.samples.append(sample);
        }
        return result;
    }

    bool sameValue(std::optional<double> parsed, double expected)
    {
        if (!parsed)
            return false;
        if (std::isnan(expected))
            return std::isnan(*parsed);
        return *parsed == expected;
    }
}

class TestMetricsPrometheus final : public QObject
{
    Q_OBJECT

private:
    qint64 m_nowMs = 1'700'000'000'000;

    QByteArray busyText(Snapshot *snapshot)
    {
        PipelineMetrics metrics([this] { return m_nowMs; });
        int n = 1;
        for (const Stage stage : AllStages)
            metrics.add(stage, 1000 * n++);
        for (int s = 0; s < 5; ++s) {
            for (int i = 1; i <= 200; ++i)
                metrics.recordEndToEndLatency(i * 1500 + s);
            m_nowMs += 1000;
        }
        metrics.setBacklog(1234);
        m_nowMs += 250;
        *snapshot = metrics.snapshot();
        // The clock does not move between the two, so they describe the same instant.
        return metrics.prometheusText();
    }

private slots:
    void testParserRejectsBadText_data() const
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("no final newline") << "# HELP a b\n# TYPE a gauge\na 1"_ba;
        QTest::newRow("bad name") << "# HELP 1a b\n# TYPE 1a gauge\n1a 1\n"_ba;
        QTest::newRow("no HELP") << "# TYPE a gauge\na 1\n"_ba;
        QTest::newRow("no TYPE") << "# HELP a b\na 1\n"_ba;
        QTest::newRow("bad value") << "# HELP a b\n# TYPE a gauge\na one\n"_ba;
        QTest::newRow("unquoted label") << "# HELP a b\n# TYPE a gauge\na{x=1} 1\n"_ba;
        QTest::newRow("duplicate") << "# HELP a b\n# TYPE a gauge\na 1\na 2\n"_ba;
        QTest::newRow("interleaved") << "# HELP a b\n# TYPE a gauge\na 1\n# HELP c d\n# TYPE c gauge\nc 1\na{x=\"1\"} 2\n"_ba;
        QTest::newRow("quantile on _sum") << "# HELP a b\n# TYPE a summary\na_sum{quantile=\"0.5\"} 1\n"_ba;
    }

    void testParserRejectsBadText() const
    {
        QFETCH(QByteArray, text);
        QVERIFY(!parse(text).error.isEmpty());
    }

    void testTextParsesAndMatchesTheSnapshot()
    {
        Snapshot snapshot;
        const QByteArray text = busyText(&snapshot);
        const Exposition exposition = parse(text);
        QVERIFY2(exposition.error.isEmpty(), qPrintable(exposition.error + u"\n"_s + QString::fromUtf8(text)));

        QCOMPARE(exposition.families.keys(),
                 (QList<QByteArray> {"aqueduct_backlog_messages", "aqueduct_end_to_end_latency_seconds",
                                     "aqueduct_messages_total", "aqueduct_uptime_seconds"}));
        QCOMPARE(exposition.families["aqueduct_messages_total"].type, "counter"_ba);
        QCOMPARE(exposition.families["aqueduct_backlog_messages"].type, "gauge"_ba);
        QCOMPARE(exposition.families["aqueduct_end_to_end_latency_seconds"].type, "summary"_ba);
        QCOMPARE(exposition.families["aqueduct_uptime_seconds"].type, "gauge"_ba);

        QCOMPARE(exposition.families["aqueduct_messages_total"].samples.size(), StageCount);
        for (const Stage stage : AllStages) {
            QVERIFY(sameValue(exposition.value("aqueduct_messages_total", "stage", stagePrometheusLabel(stage)),
                              double(snapshot.total(stage))));
        }
        QVERIFY(sameValue(exposition.value("aqueduct_messages_total", "stage", "dead_lettered"), 4000));
        QVERIFY(sameValue(exposition.value("aqueduct_backlog_messages"), 1234));

        const QByteArray latency = "aqueduct_end_to_end_latency_seconds";
        QCOMPARE(snapshot.latencyWindowCount, 1000u);
        QVERIFY(sameValue(exposition.value(latency, "quantile", "0.5"), snapshot.latencyP50Micros / 1e6));
        QVERIFY(sameValue(exposition.value(latency, "quantile", "0.95"), snapshot.latencyP95Micros / 1e6));
        QVERIFY(sameValue(exposition.value(latency, "quantile", "0.99"), snapshot.latencyP99Micros / 1e6));
        QVERIFY(std::abs(*exposition.value(latency, "quantile", "0.5") - 0.15) <= 0.15 * LatencyHistogram::MaxRelativeError);
        QVERIFY(sameValue(exposition.value(latency + "_sum"), double(snapshot.latencySumMicros) / 1e6));
        QVERIFY(sameValue(exposition.value(latency + "_count"), 1000));
        QVERIFY(sameValue(exposition.value("aqueduct_uptime_seconds"), 5.25));
    }

    void testIdleTextParses()
    {
        // Nothing recorded, backlog unknown: no backlog family, NaN quantiles, zero counts.
        PipelineMetrics metrics([this] { return m_nowMs; });
        const QByteArray text = metrics.prometheusText();
        const Exposition exposition = parse(text);
        QVERIFY2(exposition.error.isEmpty(), qPrintable(exposition.error));
        QVERIFY(!exposition.families.contains("aqueduct_backlog_messages"));
        QVERIFY(std::isnan(*exposition.value("aqueduct_end_to_end_latency_seconds", "quantile", "0.99")));
        QVERIFY(sameValue(exposition.value("aqueduct_end_to_end_latency_seconds_count"), 0));
        QVERIFY(sameValue(exposition.value("aqueduct_messages_total", "stage", "published"), 0));
        QCOMPARE(prometheusContentType(), "text/plain; version=0.0.4; charset=utf-8"_ba);
    }

    // Prometheus' own parsers, where this machine has one.
    void testReferenceParsersAccept()
    {
        Snapshot snapshot;
        const QByteArray text = busyText(&snapshot);
        bool checked = false;

        const QString promtool = QStandardPaths::findExecutable(u"promtool"_s);
        if (!promtool.isEmpty()) {
            QProcess process;
            process.start(promtool, {u"check"_s, u"metrics"_s});
            process.write(text);
            process.closeWriteChannel();
            QVERIFY(process.waitForFinished(30000));
            QVERIFY2(process.exitCode() == 0, QByteArray(process.readAllStandardOutput() + process.readAllStandardError()).constData());
            checked = true;
        }

        // The first python3 that has prometheus_client: the one on PATH (perhaps a pyenv one), or Debian's.
        QStringList pythons {QStandardPaths::findExecutable(u"python3"_s), u"/usr/bin/python3"_s};
        pythons.removeAll(QString());
        pythons.removeDuplicates();
        for (const QString &python : std::as_const(pythons)) {
            QProcess probe;
            probe.start(python, {u"-c"_s, u"import prometheus_client"_s});
            if (!probe.waitForFinished(30000) || probe.exitStatus() != QProcess::NormalExit || probe.exitCode() != 0)
                continue;
            const QString script = uR"(
import sys
from prometheus_client.parser import text_string_to_metric_families
families = {f.name: f for f in text_string_to_metric_families(sys.stdin.read())}
assert families['aqueduct_messages'].type == 'counter', families.keys()
assert len(families['aqueduct_messages'].samples) == 8
assert families['aqueduct_end_to_end_latency_seconds'].type == 'summary'
assert len(families['aqueduct_end_to_end_latency_seconds'].samples) == 5
assert families['aqueduct_backlog_messages'].samples[0].value == 1234
assert families['aqueduct_uptime_seconds'].samples[0].value == 5.25
print('ok')
)"_s;
            QProcess process;
            process.start(python, {u"-c"_s, script});
            process.write(text);
            process.closeWriteChannel();
            QVERIFY(process.waitForFinished(30000));
            QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
            QCOMPARE(process.readAllStandardOutput().trimmed(), "ok"_ba);
            checked = true;
            break;
        }
        if (!checked)
            QSKIP("neither promtool nor python3's prometheus_client is installed; the parser in this test checked the text");
    }
};

QTEST_GUILESS_MAIN(TestMetricsPrometheus)
#include "testmetricsprometheus.moc"
