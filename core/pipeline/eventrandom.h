#pragma once

#include <random>

#include <QByteArray>

namespace Aq::Pipeline
{
    // The random source of generated events. A seeded std::mt19937_64 and draws of our own (not the
    // standard distributions, whose results differ between standard libraries), so that one seed gives the
    // same events everywhere; never the global generator.
    class EventRandom
    {
    public:
        explicit EventRandom(quint64 seed);

        // A seed from the system's entropy, for runs without --seed.
        static quint64 randomSeed();

        quint64 next() { return m_engine(); }
        // Uniform in [min, max], both included; min <= max.
        qint64 between(qint64 min, qint64 max);
        // Uniform in [min, max).
        double uniform(double min, double max);
        // Uniform in [0, count); count > 0.
        qsizetype index(qsizetype count) { return qsizetype(between(0, count - 1)); }
        // A version 4 UUID in its 36-character lower-case form.
        void appendUuid(QByteArray &out);

    private:
        std::mt19937_64 m_engine;
    };
}
