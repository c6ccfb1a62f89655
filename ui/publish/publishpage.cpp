#include "ui/publish/publishpage.h"

#include <QCheckBox>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QDoubleSpinBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRandomGenerator>
#include <QShortcut>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>

#include "core/pipeline/eventgenerator.h"
#include "core/pipeline/publishjob.h"
#include "core/pubsub/publisher.h"
#include "core/reconcile/idsfilewriter.h"
#include "ui/publish/recordedruns.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Ui
{
    namespace
    {
        constexpr int PreviewEvents = 3;
        constexpr int MaxResultLines = 1000;

        // "k=v, k2=v2" to attributes; an entry without '=' is an error.
        Result<QMap<QString, QString>> parseAttributes(const QString &text)
        {
            QMap<QString, QString> attributes;
            for (const QString &entry : text.split(u',', Qt::SkipEmptyParts)) {
                const qsizetype equals = entry.indexOf(u'=');
                const QString key = entry.left(equals).trimmed();
                if (equals < 0 || key.isEmpty())
                    return ApiError::invalidArgument(u"Attribute \"%1\": write key=value, separated by commas."_s.arg(entry.trimmed()));
                attributes.insert(key, entry.mid(equals + 1).trimmed());
            }
            return attributes;
        }

        QStringList keyFields(const Pipeline::RowConverter &converter)
        {
            return {converter.options().keyColumn, u"id"_s};
        }
    }

    PublishPage::PublishPage(const Pipeline::RowConverter &converter, QWidget *parent)
        : QWidget(parent)
        , m_converter {converter}
        , m_template {new QPlainTextEdit(this)}
        , m_preview {new QPlainTextEdit(this)}
        , m_templateStatus {new QLabel(this)}
        , m_attributes {new QLineEdit(this)}
        , m_count {new QSpinBox(this)}
        , m_rate {new QDoubleSpinBox(this)}
        , m_every {new QSpinBox(this)}
        , m_seed {new QSpinBox(this)}
        , m_validate {new QCheckBox(tr("Check each event against the table schema before sending"), this)}
        , m_record {new QCheckBox(tr("Record the run's IDs for reconciliation (Dead letters page)"), this)}
        , m_start {new QPushButton(tr("Publish"), this)}
        , m_stop {new QPushButton(tr("Stop"), this)}
        , m_progress {new QProgressBar(this)}
        , m_runStatus {new QLabel(this)}
        , m_results {new QPlainTextEdit(this)}
    {
        const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
        m_template->setFont(mono);
        m_template->setPlainText(defaultTemplate());
        m_template->setToolTip(tr("One JSON object. Placeholders in string values: {{uuid}}, {{now}}, {{choice:a,b}}, {{int:MIN:MAX}}, "
                                  "{{float:MIN:MAX:DECIMALS}}, {{seq}}"));
        m_preview->setFont(mono);
        m_preview->setReadOnly(true);
        m_results->setFont(mono);
        m_results->setReadOnly(true);
        m_results->setPlaceholderText(tr("Message IDs appear here as Pub/Sub answers."));
        m_templateStatus->setWordWrap(true);
        m_attributes->setPlaceholderText(tr("source=console, env=test"));
        m_count->setRange(1, 10'000'000);
        m_count->setValue(100);
        m_count->setGroupSeparatorShown(true);
        m_rate->setRange(0, 1'000'000);
        m_rate->setDecimals(1);
        m_rate->setSpecialValueText(tr("as fast as possible"));
        m_rate->setSuffix(tr(" events/s"));
        m_every->setRange(0, 86'400);
        m_every->setSpecialValueText(tr("once"));
        m_every->setSuffix(tr(" s"));
        m_every->setPrefix(tr("every "));
        m_seed->setRange(0, std::numeric_limits<int>::max());
        m_seed->setSpecialValueText(tr("random"));
        m_validate->setChecked(true);
        m_record->setObjectName(u"recordRun"_s);
        m_record->setChecked(true);
        setRunsFolder(RecordedRuns::defaultFolder());
        m_stop->setEnabled(false);
        m_start->setEnabled(false);
        m_start->setToolTip(tr("Publish (Ctrl+Return)"));
        m_stop->setToolTip(tr("Stop (Ctrl+.)"));
        m_progress->setRange(0, 100);
        m_progress->setValue(0);
        m_progress->setFormat(tr("%v / %m"));

        auto *templateBox = new QGroupBox(tr("Event template"), this);
        auto *templateLayout = new QVBoxLayout(templateBox);
        templateLayout->addWidget(m_template, 3);
        templateLayout->addWidget(m_templateStatus);
        templateLayout->addWidget(new QLabel(tr("Preview"), templateBox));
        templateLayout->addWidget(m_preview, 2);

        auto *runBox = new QGroupBox(tr("Run"), this);
        auto *form = new QFormLayout;
        form->addRow(tr("Count"), m_count);
        form->addRow(tr("Rate"), m_rate);
        form->addRow(tr("Schedule"), m_every);
        form->addRow(tr("Attributes"), m_attributes);
        form->addRow(tr("Seed"), m_seed);
        form->addRow(QString(), m_validate);
        form->addRow(QString(), m_record);
        auto *buttons = new QHBoxLayout;
        buttons->addWidget(m_start);
        buttons->addWidget(m_stop);
        buttons->addStretch();
        auto *runLayout = new QVBoxLayout(runBox);
        runLayout->addLayout(form);
        runLayout->addLayout(buttons);
        runLayout->addWidget(m_progress);
        runLayout->addWidget(m_runStatus);
        runLayout->addWidget(new QLabel(tr("Results"), runBox));
        runLayout->addWidget(m_results, 1);

        auto *splitter = new QSplitter(Qt::Horizontal, this);
        splitter->addWidget(templateBox);
        splitter->addWidget(runBox);
        splitter->setStretchFactor(0, 3);
        splitter->setStretchFactor(1, 2);
        auto *layout = new QVBoxLayout(this);
        layout->addWidget(splitter);

        m_previewDebounce.setSingleShot(true);
        m_previewDebounce.setInterval(250);
        connect(&m_previewDebounce, &QTimer::timeout, this, &PublishPage::updatePreview);
        connect(m_template, &QPlainTextEdit::textChanged, &m_previewDebounce, qOverload<>(&QTimer::start));
        m_progressTimer.setInterval(100);
        connect(&m_progressTimer, &QTimer::timeout, this, &PublishPage::updateProgress);
        connect(m_start, &QPushButton::clicked, this, &PublishPage::startPublishing);
        connect(m_stop, &QPushButton::clicked, this, &PublishPage::stopPublishing);
        auto *startShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
        startShortcut->setWhatsThis(tr("Start publishing"));
        connect(startShortcut, &QShortcut::activated, this, &PublishPage::startPublishing);
        auto *stopShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period), this);
        stopShortcut->setWhatsThis(tr("Stop publishing"));
        connect(stopShortcut, &QShortcut::activated, this, &PublishPage::stopPublishing);
        updatePreview();
    }

    PublishPage::~PublishPage() = default;

    QString PublishPage::defaultTemplate()
    {
        return u"{\n"
               "  \"event_id\": \"{{uuid}}\",\n"
               "  \"timestamp\": \"{{now}}\",\n"
               "  \"event_data\": {\n"
               "    \"event_type\": \"{{choice:page_view,click,login,form_submit,purchase}}\",\n"
               "    \"user_id\": \"user_{{int:1:1000}}\",\n"
               "    \"page\": \"{{choice:/,/products,/cart,/checkout}}\",\n"
               "    \"browser\": \"{{choice:Chrome,Firefox,Safari,Edge}}\",\n"
               "    \"country\": \"{{choice:US,DE,FR,GB,JP,BR}}\",\n"
               "    \"amount\": \"{{float:1:500:2}}\",\n"
               "    \"sequence\": \"{{seq}}\"\n"
               "  }\n"
               "}\n"_s;
    }

    void PublishPage::setPublisher(PubSub::Publisher *publisher)
    {
        m_publisher = publisher;
        m_start->setEnabled(publisher && !isPublishing());
    }

    void PublishPage::setTemplateText(const QString &text)
    {
        m_template->setPlainText(text);
        updatePreview();
    }

    void PublishPage::setCount(int count)
    {
        m_count->setValue(count);
    }

    void PublishPage::setRate(double perSecond)
    {
        m_rate->setValue(perSecond);
    }

    void PublishPage::setRunsFolder(const QString &folder)
    {
        m_runsFolder = folder;
        m_record->setToolTip(folder.isEmpty() ? tr("No folder to record runs in")
                                              : tr("Message and event IDs go to %1, one file per run").arg(QDir::toNativeSeparators(folder)));
        m_record->setEnabled(!folder.isEmpty());
    }

    void PublishPage::setRecording(bool record)
    {
        m_record->setChecked(record);
    }

    bool PublishPage::isRecording() const
    {
        return m_record->isChecked() && !m_runsFolder.isEmpty();
    }

    bool PublishPage::isPublishing() const
    {
        return m_job && !m_job->isFinished();
    }

    void PublishPage::updatePreview()
    {
        Result<Pipeline::EventTemplate> parsed = Pipeline::EventTemplate::parse(m_template->toPlainText().toUtf8(), tr("the template"), keyFields(m_converter));
        if (!parsed) {
            m_templateStatus->setText(u"<span style='color:#d9534f'>%1</span>"_s.arg(parsed.error().message.toHtmlEscaped()));
            m_preview->clear();
            return;
        }
        Pipeline::EventGenerator generator(*parsed, 1);
        QStringList lines;
        QString schemaProblem;
        for (int i = 0; i < PreviewEvents; ++i) {
            const Pipeline::GeneratedEvent event = generator.next();
            lines.append(QString::fromUtf8(event.data));
            if (Status valid = m_converter.validate(event.data); !valid && schemaProblem.isEmpty())
                schemaProblem = valid.error().message;
        }
        m_preview->setPlainText(lines.join(u"\n\n"_s));
        if (schemaProblem.isEmpty())
            m_templateStatus->setText(u"<span style='color:#3c9a5f'>%1</span>"_s.arg(tr("Valid: the events match the table schema.")));
        else
            m_templateStatus->setText(u"<span style='color:#e0a030'>%1</span>"_s.arg(tr("Does not match the table schema: %1").arg(schemaProblem.toHtmlEscaped())));
    }

    void PublishPage::startPublishing()
    {
        if (!m_publisher || isPublishing())
            return;
        Result<Pipeline::EventTemplate> parsed = Pipeline::EventTemplate::parse(m_template->toPlainText().toUtf8(), tr("the template"), keyFields(m_converter));
        if (!parsed) {
            m_runStatus->setText(parsed.error().message);
            return;
        }
        Result<QMap<QString, QString>> attributes = parseAttributes(m_attributes->text());
        if (!attributes) {
            m_runStatus->setText(attributes.error().message);
            return;
        }
        Pipeline::PublishPlan plan;
        plan.count = m_count->value();
        plan.rate = m_rate->value();
        plan.everyMicros = qint64(m_every->value()) * 1'000'000;
        plan.attributes = *attributes;
        const quint64 seed = m_seed->value() > 0 ? quint64(m_seed->value()) : QRandomGenerator::global()->generate64();
        m_job = std::make_unique<Pipeline::PublishJob>(m_publisher, Pipeline::EventGenerator(*parsed, seed), plan);
        if (m_validate->isChecked())
            m_job->setValidator([converter = m_converter](const QByteArray &data) { return converter.validate(data); });
        connect(m_job.get(), &Pipeline::PublishJob::published, this, [this](qint64 number, const QString &messageId, const QByteArray &eventId) {
            ++m_published;
            if (m_ids)
                m_ids->append(messageId, eventId);
            emit eventPublished();
            appendResult(u"#%1  message %2  %3"_s.arg(number).arg(messageId, QString::fromUtf8(eventId)));
        });
        connect(m_job.get(), &Pipeline::PublishJob::publishFailed, this, [this](qint64 number, const ApiError &error) {
            ++m_failed;
            appendResult(u"#%1  FAILED  %2"_s.arg(number).arg(error.message));
        });
        connect(m_job.get(), &Pipeline::PublishJob::eventsInvalid, this, [this](const QList<Pipeline::InvalidEvent> &first, qint64 count, qint64 checked) {
            QStringList reasons;
            for (const Pipeline::InvalidEvent &invalid : first)
                reasons.append(u"#%1: %2"_s.arg(invalid.number).arg(invalid.reason));
            appendResult(tr("Nothing sent: %1 of %2 events do not match the table schema.").arg(count).arg(checked) + u"\n  "_s + reasons.join(u"\n  "_s));
        });
        connect(m_job.get(), &Pipeline::PublishJob::finished, this, &PublishPage::finishRun);
        m_published = 0;
        m_failed = 0;
        m_results->clear();
        m_resultLines = 0;
        m_progress->setRange(0, m_count->value());
        m_progress->setValue(0);
        m_start->setEnabled(false);
        m_stop->setEnabled(true);
        m_runStatus->setText(plan.everyMicros > 0 ? tr("Publishing %1 events every %2 s…").arg(plan.count).arg(m_every->value())
                                                  : tr("Publishing %1 events…").arg(plan.count));
        startRecording();
        m_progressTimer.start();
        m_job->start();
    }

    void PublishPage::stopPublishing()
    {
        if (isPublishing())
            m_job->stop();
    }

    void PublishPage::updateProgress()
    {
        if (!m_job)
            return;
        if (m_ids && m_ids->isOpen()) {
            // A reader (aqueduct verify in a terminal) sees the lines while the run goes on.
            if (Status flushed = m_ids->flush(); !flushed && m_recordingProblem.isEmpty())
                m_recordingProblem = flushed.error().message;
        }
        const qint64 round = qMax<qint64>(1, m_count->value());
        m_progress->setValue(int(m_job->sent() % (round + 1)));
        const double seconds = double(m_job->elapsedMicros()) / 1e6;
        m_runStatus->setText(tr("%1 published, %2 failed, %3 in flight — %4 events/s")
                                 .arg(m_published)
                                 .arg(m_failed)
                                 .arg(m_job->inFlight())
                                 .arg(seconds > 0 ? double(m_published) / seconds : 0.0, 0, 'f', 0));
    }

    void PublishPage::finishRun()
    {
        m_progressTimer.stop();
        updateProgress();
        m_progress->setValue(m_progress->maximum());
        m_start->setEnabled(m_publisher != nullptr);
        m_stop->setEnabled(false);
        const QString recorded = finishRecording();
        QString status = tr("Done: %1 published, %2 failed.").arg(m_published).arg(m_failed);
        if (!recorded.isEmpty())
            status += u' ' + tr("IDs recorded in %1.").arg(QDir::toNativeSeparators(recorded));
        if (!m_recordingProblem.isEmpty())
            status += u' ' + tr("Not recorded: %1").arg(m_recordingProblem);
        m_runStatus->setText(status);
        if (!recorded.isEmpty())
            emit runRecorded(recorded);
        emit runFinished(m_published, m_failed);
    }

    void PublishPage::startRecording()
    {
        m_ids.reset();
        m_recordingProblem.clear();
        if (!isRecording())
            return;
        RecordedRuns::prune(m_runsFolder, RecordedRuns::MaxKept - 1);
        m_ids = std::make_unique<Reconcile::IdsFileWriter>(RecordedRuns::newRunPath(m_runsFolder, QDateTime::currentDateTimeUtc()));
        if (Status opened = m_ids->open(); !opened) {
            // The run goes on without its record.
            m_recordingProblem = opened.error().message;
            m_ids.reset();
        }
    }

    QString PublishPage::finishRecording()
    {
        if (!m_ids)
            return {};
        const std::unique_ptr<Reconcile::IdsFileWriter> ids = std::move(m_ids);
        if (Status closed = ids->close(); !closed && m_recordingProblem.isEmpty())
            m_recordingProblem = closed.error().message;
        // Nothing was published (the schema check refused the events): there is nothing to reconcile.
        if (ids->lines() == 0 || !m_recordingProblem.isEmpty()) {
            if (ids->lines() == 0)
                QFile::remove(ids->path());
            return {};
        }
        return ids->path();
    }

    void PublishPage::appendResult(const QString &line)
    {
        if (m_resultLines++ >= MaxResultLines) {
            if (m_resultLines == MaxResultLines + 1)
                m_results->appendPlainText(tr("… (only the first %1 results are shown)").arg(MaxResultLines));
            return;
        }
        m_results->appendPlainText(line);
    }
}
