#pragma once

#include <memory>

#include <QPointer>
#include <QTimer>
#include <QWidget>

#include "core/pipeline/rowconverter.h"

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace Aq::PubSub
{
    class Publisher;
}

namespace Aq::Pipeline
{
    class PublishJob;
}

namespace Aq::Reconcile
{
    class IdsFileWriter;
}

namespace Aq::Ui
{
    // Publish: an event template with placeholders and a live preview, attributes, count, rate and a schedule
    // (a round every N seconds), a schema check before sending, progress, and the message IDs that came back. It
    // runs the same EventGenerator and PublishJob as `aqueduct publish`. Each run is recorded: its message and event
    // IDs go to an ids file in the runs folder (RecordedRuns), as `aqueduct publish --ids-out` writes them, for the
    // Dead letters page to reconcile.
    class PublishPage final : public QWidget
    {
        Q_OBJECT

    public:
        explicit PublishPage(const Pipeline::RowConverter &converter, QWidget *parent = nullptr);
        ~PublishPage() override;

        // The console's publisher to the profile's topic; null until the connection is open.
        void setPublisher(PubSub::Publisher *publisher);

        // For tests and shortcuts.
        void setTemplateText(const QString &text);
        void setCount(int count);
        void setRate(double perSecond);
        void startPublishing();
        void stopPublishing();
        bool isPublishing() const;
        qint64 publishedCount() const { return m_published; }
        // Where runs are recorded (RecordedRuns::defaultFolder() unless set); an empty folder records nothing.
        void setRunsFolder(const QString &folder);
        QString runsFolder() const { return m_runsFolder; }
        void setRecording(bool record);
        bool isRecording() const;

        static QString defaultTemplate();

    Q_SIGNALS:
        void eventPublished();
        void runFinished(qint64 published, qint64 failed);
        // A run that published something was recorded in this ids file (emitted before runFinished).
        void runRecorded(const QString &idsFile);

    private:
        void updatePreview();
        void updateProgress();
        void finishRun();
        void appendResult(const QString &line);
        void startRecording();
        // The recorded file's path; empty when nothing was recorded.
        QString finishRecording();

        Pipeline::RowConverter m_converter;
        QPointer<PubSub::Publisher> m_publisher;
        std::unique_ptr<Pipeline::PublishJob> m_job;
        std::unique_ptr<Reconcile::IdsFileWriter> m_ids;
        QString m_runsFolder;
        QString m_recordingProblem;
        QPlainTextEdit *m_template;
        QPlainTextEdit *m_preview;
        QLabel *m_templateStatus;
        QLineEdit *m_attributes;
        QSpinBox *m_count;
        QDoubleSpinBox *m_rate;
        QSpinBox *m_every;
        QSpinBox *m_seed;
        QCheckBox *m_validate;
        QCheckBox *m_record;
        QPushButton *m_start;
        QPushButton *m_stop;
        QProgressBar *m_progress;
        QLabel *m_runStatus;
        QPlainTextEdit *m_results;
        QTimer m_previewDebounce;
        QTimer m_progressTimer;
        qint64 m_published = 0;
        qint64 m_failed = 0;
        int m_resultLines = 0;
    };
}
