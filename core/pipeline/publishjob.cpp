#include "core/pipeline/publishjob.h"

#include <utility>

#include <QPointer>

#include "core/pubsub/publisher.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Pipeline
{
    namespace
    {
        constexpr int MaxInvalidReported = 10;
        // Events sent per turn of the event loop, so that replies, timers and signals keep flowing.
        constexpr int EventsPerTurn = 500;
        // A paced run that fell behind (a slow backend, a busy machine) catches up by at most this much
        // instead of sending everything it owes in one burst.
        constexpr qint64 MaxCatchUpMicros = 100'000;
    }

    PublishJob::PublishJob(PubSub::Publisher *publisher, EventGenerator generator, PublishPlan plan, QObject *parent)
        : QObject(parent)
        , m_publisher {publisher}
        , m_generator {std::move(generator)}
        , m_plan {std::move(plan)}
    {
        m_wake.setSingleShot(true);
        m_wake.setTimerType(Qt::PreciseTimer);
        connect(&m_wake, &QTimer::timeout, this, &PublishJob::pump);
        m_deadline.setSingleShot(true);
        m_deadline.setTimerType(Qt::PreciseTimer);
        m_nextRound.setSingleShot(true);
        m_nextRound.setTimerType(Qt::PreciseTimer);
        connect(&m_nextRound, &QTimer::timeout, this, [this] {
            m_betweenRounds = false;
            startRound();
        });
        connect(&m_deadline, &QTimer::timeout, this, [this] {
            m_held.reset();
            endGeneration();
        });
        connect(m_publisher, &PubSub::Publisher::capacityAvailable, this, &PublishJob::pump);
    }

    PublishJob::~PublishJob() = default;

    void PublishJob::setValidator(Validator validator)
    {
        m_validator = std::move(validator);
    }

    qint64 PublishJob::elapsedMicros() const
    {
        if (m_elapsedAtFinish >= 0)
            return m_elapsedAtFinish;
        return m_started ? m_clock.nsecsElapsed() / 1000 : 0;
    }

    void PublishJob::start()
    {
        if (m_started)
            return;
        m_started = true;
        m_generating = true;
        // The first round is checked before the clock starts, so that the elapsed time and rate are the publishing's.
        const bool valid = !m_validator || validateAhead(roundSize());
        m_firstRoundChecked = true;
        m_clock.start();
        if (!valid) {
            endGeneration();
            return;
        }
        if (m_plan.durationMicros > 0)
            m_deadline.start(std::chrono::milliseconds((m_plan.durationMicros + 999) / 1000));
        startRound();
    }

    qint64 PublishJob::roundSize() const
    {
        return m_plan.count >= 0 ? m_plan.count : ValidationLookahead;
    }

    void PublishJob::stop()
    {
        m_held.reset();
        endGeneration();
    }

    void PublishJob::startRound()
    {
        if (!m_generating)
            return;
        m_roundStart = elapsedMicros();
        m_roundGenerated = 0;
        const bool checked = std::exchange(m_firstRoundChecked, false);
        if (m_validator && !checked && !validateAhead(roundSize())) {
            endGeneration();
            return;
        }
        pump();
    }

    // Renders the next `events` with a copy of the generator (the same events but for the time) and checks them.
    bool PublishJob::validateAhead(qint64 events)
    {
        EventGenerator copy = m_generator;
        QList<InvalidEvent> first;
        qint64 invalid = 0;
        GeneratedEvent event;
        for (qint64 i = 0; i < events; ++i) {
            copy.next(event);
            const Status status = m_validator(event.data);
            if (status)
                continue;
            ++invalid;
            if (first.size() < MaxInvalidReported)
                first.append({copy.generated(), status.error().message});
        }
        m_validatedUntil = copy.generated();
        if (invalid == 0)
            return true;
        m_invalid += invalid;
        Q_EMIT eventsInvalid(first, invalid, events);
        return false;
    }

    void PublishJob::pump()
    {
        for (int turn = 0; m_generating && !m_betweenRounds; ++turn) {
            const qint64 now = elapsedMicros();
            if (m_plan.durationMicros > 0 && now >= m_plan.durationMicros) {
                m_held.reset();
                endGeneration();
                return;
            }
            if (m_plan.count >= 0 && m_roundGenerated >= m_plan.count) {
                endRound();
                return;
            }
            if (m_plan.rate > 0) {
                qint64 due = m_roundStart + qint64(double(m_roundGenerated) * 1e6 / m_plan.rate);
                if (now - due > MaxCatchUpMicros) {
                    m_roundStart += now - due - MaxCatchUpMicros;
                    due = now - MaxCatchUpMicros;
                }
                if (due > now) {
                    wakeAt(due);
                    return;
                }
            }
            if (turn == EventsPerTurn) {
                m_wake.start(0);
                return;
            }
            if (m_held) {
                auto [event, number] = std::move(*m_held);
                m_held.reset();
                send(std::move(event), number);
            } else {
                GeneratedEvent event = m_generator.next();
                const qint64 number = m_generator.generated();
                if (m_validator && number > m_validatedUntil) {
                    if (const Status status = m_validator(event.data); !status) {
                        ++m_invalid;
                        Q_EMIT eventsInvalid({{number, status.error().message}}, 1, 1);
                        endGeneration();
                        return;
                    }
                }
                send(std::move(event), number);
            }
            if (m_held)
                return;   // flow control is full: capacityAvailable() calls pump() again
        }
    }

    void PublishJob::send(GeneratedEvent event, qint64 number)
    {
        PubSub::PubsubMessage message;
        message.data = event.data;
        message.attributes = m_plan.attributes;
        message.orderingKey = m_plan.orderingKey;
        QPointer<PublishJob> guard(this);
        const QByteArray eventId = event.eventId;
        const Status accepted = m_publisher->publish(std::move(message), [this, guard, number, eventId](Result<QString> id) {
            if (!guard)
                return;
            --m_inFlight;
            if (id) {
                ++m_sent;
                Q_EMIT published(number, *id, eventId);
            } else {
                ++m_failed;
                Q_EMIT publishFailed(number, id.error());
            }
            finishIfDone();
        });
        if (accepted) {
            ++m_inFlight;
            ++m_roundGenerated;
            return;
        }
        if (accepted.error().status == u"RESOURCE_EXHAUSTED"_s) {
            m_held.emplace(std::move(event), number);
            return;
        }
        ++m_roundGenerated;
        ++m_failed;
        Q_EMIT publishFailed(number, accepted.error());
    }

    void PublishJob::endRound()
    {
        if (m_plan.everyMicros <= 0) {
            endGeneration();
            return;
        }
        ++m_round;
        const qint64 next = qint64(m_round) * m_plan.everyMicros;
        if (m_plan.durationMicros > 0 && next >= m_plan.durationMicros) {
            endGeneration();
            return;
        }
        m_betweenRounds = true;
        m_publisher->flush();
        const qint64 wait = next - elapsedMicros();
        m_nextRound.start(std::chrono::milliseconds(wait <= 0 ? 0 : (wait + 999) / 1000));
    }

    void PublishJob::endGeneration()
    {
        if (!m_generating)
            return;
        m_generating = false;
        m_wake.stop();
        m_nextRound.stop();
        m_deadline.stop();
        m_publisher->flush();
        finishIfDone();
    }

    void PublishJob::finishIfDone()
    {
        if (m_generating || m_finished || m_inFlight > 0 || !m_started)
            return;
        m_finished = true;
        m_elapsedAtFinish = m_clock.nsecsElapsed() / 1000;
        // Queued: this may run inside a Publisher callback, and a receiver may delete the publisher.
        QMetaObject::invokeMethod(this, &PublishJob::finished, Qt::QueuedConnection);
    }

    void PublishJob::wakeAt(qint64 micros)
    {
        const qint64 wait = micros - elapsedMicros();
        m_wake.start(std::chrono::milliseconds(wait <= 0 ? 0 : qMax<qint64>(1, (wait + 999) / 1000)));
    }
}
