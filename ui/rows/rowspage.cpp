#include "ui/rows/rowspage.h"

#include <set>

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QStyle>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include "core/bigquery/bigqueryclient.h"
#include "core/common/timeutil.h"
#include "ui/theme.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Ui
{
    namespace
    {
        constexpr int LiveIntervalMs = 2000;
        constexpr int MaxCopiedRows = 100000;

        QLineEdit *filterField(const QString &objectName, const QString &placeholder, const QString &toolTip, QWidget *parent)
        {
            auto *field = new QLineEdit(parent);
            field->setObjectName(objectName);
            field->setPlaceholderText(placeholder);
            field->setToolTip(toolTip);
            field->setClearButtonEnabled(true);
            return field;
        }

        QLabel *fieldLabel(const QString &text, QLineEdit *buddy, QWidget *parent)
        {
            auto *label = new QLabel(text, parent);
            label->setBuddy(buddy);
            return label;
        }
    }

    RowsPage::RowsPage(BigQuery::BigQueryClient *client, const RowsTable &table, QWidget *parent)
        : QWidget(parent)
        , m_table {table}
    {
        m_model = new RowWindowModel(this);
        buildUi();
        m_liveTimer.setInterval(LiveIntervalMs);
        connect(&m_liveTimer, &QTimer::timeout, this, [this] {
            if (isVisible() && !isExporting())
                m_model->refresh();
        });
        m_model->setTable(m_table);
        setClient(client);
        updateStatus();
    }

    RowsPage::~RowsPage()
    {
        if (m_exporter)
            m_exporter->cancel();
    }

    void RowsPage::buildUi()
    {
        auto *layout = new QVBoxLayout(this);
        layout->setContentsMargins(8, 8, 8, 4);
        layout->setSpacing(6);

        // The filter bar: what is filtered on most, then the free condition on a line of its own.
        m_eventType = filterField(u"eventTypeFilter"_s, tr("any"), tr("Rows whose event_type is exactly this"), this);
        m_userId = filterField(u"userIdFilter"_s, tr("any"), tr("Rows whose user_id is exactly this"), this);
        m_since = filterField(u"sinceFilter"_s, tr("e.g. 1h or 2024-05-01"),
                              tr("The oldest time shown (inclusive): a time, in the zone the table shows, or a duration back from now (15m, 1h, 2d)"), this);
        m_until = filterField(u"untilFilter"_s, tr("now"), tr("The newest time shown (exclusive): a time, or a duration back from now"), this);
        m_where = filterField(u"whereFilter"_s, tr("a condition in the local cloud's SQL, e.g. JSON_VALUE(event_data, '$.amount') = '12.5'"),
                              tr("A WHERE condition on the table's columns (docs/SQL.md). No ';': one condition, not a statement."), this);
        m_where->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        m_eventType->setMaximumWidth(170);
        m_userId->setMaximumWidth(170);
        const int timeWidth = m_since->fontMetrics().horizontalAdvance(u"2024-05-01 12:00:00.000"_s) + 40;
        m_since->setMinimumWidth(timeWidth);
        m_until->setMinimumWidth(timeWidth);
        m_since->setMaximumWidth(timeWidth);
        m_until->setMaximumWidth(timeWidth);

        m_apply = new QPushButton(tr("Apply"), this);
        m_apply->setObjectName(u"applyFilters"_s);
        m_apply->setDefault(true);
        m_apply->setToolTip(tr("Run the query with these filters (Enter)"));
        m_clear = new QPushButton(tr("Clear"), this);
        m_clear->setObjectName(u"clearFilters"_s);
        m_clear->setToolTip(tr("Remove every filter"));

        auto toolButton = [this](const QString &name, const QString &text, QStyle::StandardPixmap icon, const QString &toolTip) {
            auto *button = new QToolButton(this);
            button->setObjectName(name);
            button->setText(text);
            button->setIcon(style()->standardIcon(icon));
            button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
            button->setToolTip(toolTip);
            button->setAutoRaise(true);
            return button;
        };
        m_live = toolButton(u"liveMode"_s, tr("Live"), QStyle::SP_MediaPlay, tr("Count and show new rows every 2 seconds (Ctrl+L)"));
        m_live->setCheckable(true);
        m_refresh = toolButton(u"refreshRows"_s, tr("Refresh"), QStyle::SP_BrowserReload, tr("Count again and show the rows that arrived (F5)"));
        m_export = toolButton(u"exportRows"_s, tr("Export…"), QStyle::SP_DialogSaveButton, tr("Write every row of the current query to a CSV or JSON file (Ctrl+E)"));

        auto *first = new QHBoxLayout;
        first->setSpacing(6);
        first->addWidget(fieldLabel(tr("Event &type"), m_eventType, this));
        first->addWidget(m_eventType);
        first->addSpacing(6);
        first->addWidget(fieldLabel(tr("&User"), m_userId, this));
        first->addWidget(m_userId);
        first->addSpacing(6);
        first->addWidget(fieldLabel(tr("F&rom"), m_since, this));
        first->addWidget(m_since);
        first->addWidget(fieldLabel(tr("t&o"), m_until, this));
        first->addWidget(m_until);
        first->addStretch(1);
        first->addWidget(m_live);
        first->addWidget(m_refresh);
        first->addWidget(m_export);
        layout->addLayout(first);

        auto *second = new QHBoxLayout;
        second->setSpacing(6);
        second->addWidget(fieldLabel(tr("&WHERE"), m_where, this));
        second->addWidget(m_where, 1);
        second->addWidget(m_apply);
        second->addWidget(m_clear);
        layout->addLayout(second);

        m_error = new QLabel(this);
        m_error->setObjectName(u"rowsError"_s);
        m_error->setWordWrap(true);
        m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
        m_error->setVisible(false);
        layout->addWidget(m_error);

        m_view = new QTableView(this);
        m_view->setObjectName(u"rowsView"_s);
        m_view->setModel(m_model);
        m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
        m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
        m_view->setWordWrap(false);
        m_view->setTextElideMode(Qt::ElideRight);
        m_view->setAlternatingRowColors(true);
        m_view->setSortingEnabled(false);
        m_view->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
        m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerItem);
        // Uniform rows: the view never measures a row, whatever the count (STYLE.md, Large tables).
        m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
        m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
        m_view->verticalHeader()->setDefaultAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
        m_view->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
        m_view->horizontalHeader()->setHighlightSections(false);
        m_view->horizontalHeader()->setStretchLastSection(true);
        m_view->viewport()->installEventFilter(this);

        m_detail = new QPlainTextEdit(this);
        m_detail->setObjectName(u"rowDetail"_s);
        m_detail->setReadOnly(true);
        m_detail->setLineWrapMode(QPlainTextEdit::NoWrap);
        m_detail->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        m_detail->setPlaceholderText(tr("Select a row to see it as JSON."));

        m_splitter = new QSplitter(Qt::Horizontal, this);
        m_splitter->addWidget(m_view);
        m_splitter->addWidget(m_detail);
        m_splitter->setStretchFactor(0, 3);
        m_splitter->setStretchFactor(1, 1);
        m_splitter->setSizes({820, 440});
        m_splitter->setChildrenCollapsible(false);
        layout->addWidget(m_splitter, 1);

        m_status = new QLabel(this);
        m_status->setObjectName(u"rowsStatus"_s);
        m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
        m_progress = new QProgressBar(this);
        m_progress->setObjectName(u"exportProgress"_s);
        m_progress->setRange(0, 1000);
        m_progress->setMaximumWidth(260);
        m_progress->setVisible(false);
        m_cancelExport = new QPushButton(tr("Cancel export"), this);
        m_cancelExport->setObjectName(u"cancelExport"_s);
        m_cancelExport->setVisible(false);
        auto *status = new QHBoxLayout;
        status->addWidget(m_status, 1);
        status->addWidget(m_progress);
        status->addWidget(m_cancelExport);
        layout->addLayout(status);

        // Actions: page-wide shortcuts only while the page (or a child) has focus, so other pages keep theirs.
        auto action = [this](const QString &text, const QKeySequence &keys, QWidget *owner, auto slot) {
            auto *a = new QAction(text, owner);
            a->setShortcut(keys);
            a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
            owner->addAction(a);
            connect(a, &QAction::triggered, this, slot);
            return a;
        };
        action(tr("Refresh"), QKeySequence(Qt::Key_F5), this, [this] { refresh(); });
        action(tr("Filter"), QKeySequence(Qt::CTRL | Qt::Key_F), this, [this] {
            m_eventType->setFocus(Qt::ShortcutFocusReason);
            m_eventType->selectAll();
        });
        action(tr("Live"), QKeySequence(Qt::CTRL | Qt::Key_L), this, [this] { setLiveMode(!isLiveMode()); });
        action(tr("Export…"), QKeySequence(Qt::CTRL | Qt::Key_E), this, [this] { chooseExportFile(); });
        action(tr("Copy"), QKeySequence::Copy, m_view, [this] { copySelection(CopyFormat::Tsv); });
        action(tr("Copy as JSON"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C), m_view, [this] { copySelection(CopyFormat::Json); });
        auto *separator = new QAction(m_view);
        separator->setSeparator(true);
        m_view->addAction(separator);
        auto *exportAction = new QAction(tr("Export…"), m_view);
        connect(exportAction, &QAction::triggered, this, &RowsPage::chooseExportFile);
        m_view->addAction(exportAction);
        m_view->setContextMenuPolicy(Qt::ActionsContextMenu);

        for (QLineEdit *field : {m_eventType, m_userId, m_since, m_until, m_where})
            connect(field, &QLineEdit::returnPressed, this, &RowsPage::applyFilters);
        connect(m_apply, &QPushButton::clicked, this, &RowsPage::applyFilters);
        connect(m_clear, &QPushButton::clicked, this, &RowsPage::clearFilters);
        connect(m_refresh, &QToolButton::clicked, this, &RowsPage::refresh);
        connect(m_export, &QToolButton::clicked, this, &RowsPage::chooseExportFile);
        connect(m_live, &QToolButton::toggled, this, &RowsPage::setLiveMode);
        connect(m_cancelExport, &QPushButton::clicked, this, &RowsPage::cancelExport);

        connect(m_view->verticalScrollBar(), &QScrollBar::valueChanged, this, &RowsPage::updateViewport);
        connect(m_view->verticalScrollBar(), &QScrollBar::rangeChanged, this, &RowsPage::updateViewport);
        connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &RowsPage::updateDetail);
        connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
            if (m_sizedColumns != m_model->columnCount())
                sizeColumns();
            if (!m_sizedToContent && m_model->isRowLoaded(0))
                sizeColumnsToContent();
            updateDetail();
            QTimer::singleShot(0, this, &RowsPage::updateViewport);
        });
        connect(m_model, &QAbstractItemModel::rowsInserted, this, [this] { QTimer::singleShot(0, this, &RowsPage::updateViewport); });
        connect(m_model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
            const int current = m_view->currentIndex().row();
            if (current >= topLeft.row() && current <= bottomRight.row())
                updateDetail();
        });
        connect(m_model, &RowWindowModel::rowsArrivedAtTop, this, &RowsPage::handleRowsArrivedAtTop);
        connect(m_model, &RowWindowModel::stateChanged, this, &RowsPage::updateStatus);
        connect(m_model, &RowWindowModel::countChanged, this, &RowsPage::updateStatus);
        connect(m_model, &RowWindowModel::queryFinished, this, &RowsPage::updateStatus);
        connect(m_model, &RowWindowModel::errorOccurred, this, &RowsPage::showError);
    }

    void RowsPage::setClient(BigQuery::BigQueryClient *client)
    {
        m_client = client;
        if (client && m_table.project.isEmpty()) {
            m_table.project = client->project();
            m_model->setTable(m_table);
        }
        m_model->setClient(client);
        if (client && !m_table.hasSchema())
            describeTable();
        updateStatus();
    }

    void RowsPage::setTable(const RowsTable &table)
    {
        m_table = table;
        if (m_client && m_table.project.isEmpty())
            m_table.project = m_client->project();
        m_model->setTable(m_table);
        if (m_client && !m_table.hasSchema())
            describeTable();
        updateStatus();
    }

    void RowsPage::setTimeDisplay(TimeDisplay display)
    {
        m_model->setTimeDisplay(display);
        updateDetail();
    }

    void RowsPage::describeTable()
    {
        if (!m_client || m_describing)
            return;
        m_describing = true;
        updateStatus();
        RowsTable::describe(m_client, m_table.dataset, m_table.table, m_table.keyColumn, this, [this](Result<RowsTable> described) {
            m_describing = false;
            if (!described) {
                showError(tr("Cannot read the table %1: %2 Refresh (F5) tries again.").arg(m_table.displayName(), described.error().message));
                return updateStatus();
            }
            m_table = *described;
            m_model->setTable(m_table);
            updateStatus();
        });
    }

    bool RowsPage::setFilters(const RowFilters &filters)
    {
        m_eventType->setText(filters.eventType);
        m_userId->setText(filters.userId);
        m_since->setText(filters.sinceMicros ? Time::formatRfc3339(*filters.sinceMicros) : QString());
        m_until->setText(filters.untilMicros ? Time::formatRfc3339(*filters.untilMicros) : QString());
        m_where->setText(filters.where);
        return applyFilters();
    }

    bool RowsPage::applyFilters()
    {
        RowFilters filters;
        filters.eventType = m_eventType->text().trimmed();
        filters.userId = m_userId->text().trimmed();
        filters.where = m_where->text().trimmed();
        const qint64 now = Time::nowMicros();
        Result<std::optional<qint64>> since = parseTimeBound(m_since->text(), m_model->timeDisplay(), now);
        if (!since) {
            showError(tr("From: %1").arg(since.error().message));
            return false;
        }
        Result<std::optional<qint64>> until = parseTimeBound(m_until->text(), m_model->timeDisplay(), now);
        if (!until) {
            showError(tr("To: %1").arg(until.error().message));
            return false;
        }
        filters.sinceMicros = *since;
        filters.untilMicros = *until;
        if (Status applied = m_model->setFilters(filters); !applied) {
            showError(applied.error().message);
            return false;
        }
        showError(QString());
        m_exportMessage.clear();
        updateStatus();
        return true;
    }

    void RowsPage::clearFilters()
    {
        for (QLineEdit *field : {m_eventType, m_userId, m_since, m_until, m_where})
            field->clear();
        applyFilters();
    }

    void RowsPage::refresh()
    {
        if (m_client && !m_table.hasSchema())
            return describeTable();
        m_model->refresh();
    }

    void RowsPage::setLiveMode(bool live)
    {
        if (m_live->isChecked() != live)
            m_live->setChecked(live);   // comes back here through toggled
        if (live && isVisible())
            m_liveTimer.start();
        else if (!live)
            m_liveTimer.stop();
        updateStatus();
    }

    bool RowsPage::isLiveMode() const
    {
        return m_live->isChecked();
    }

    void RowsPage::showEvent(QShowEvent *event)
    {
        QWidget::showEvent(event);
        if (isLiveMode())
            m_liveTimer.start();
        QTimer::singleShot(0, this, &RowsPage::updateViewport);
    }

    void RowsPage::hideEvent(QHideEvent *event)
    {
        // No queries for a page nobody looks at.
        m_liveTimer.stop();
        QWidget::hideEvent(event);
    }

    bool RowsPage::eventFilter(QObject *watched, QEvent *event)
    {
        if (watched == m_view->viewport() && event->type() == QEvent::Resize)
            QTimer::singleShot(0, this, &RowsPage::updateViewport);
        return QWidget::eventFilter(watched, event);
    }

    void RowsPage::updateViewport()
    {
        const int rows = m_model->rowCount();
        if (rows == 0)
            return;
        int first = m_view->rowAt(0);
        int last = m_view->rowAt(m_view->viewport()->height() - 1);
        if (first < 0)
            first = 0;
        if (last < 0)
            last = rows - 1;
        m_model->setViewport(first, last);
    }

    void RowsPage::handleRowsArrivedAtTop(int count)
    {
        // Someone reading further down keeps the same rows on screen; at the top, the new rows show.
        QScrollBar *bar = m_view->verticalScrollBar();
        if (bar->value() > 0)
            bar->setValue(bar->value() + count);
        updateStatus();
    }

    void RowsPage::sizeColumns()
    {
        const QFontMetrics metrics = m_view->fontMetrics();
        const QList<BigQuery::TableField> &fields = m_model->table().schema.fields;
        const int padding = 24;
        for (int i = 0; i < fields.size(); ++i) {
            const BigQuery::TableField &f = fields[i];
            int width = metrics.horizontalAdvance(u"purchase_order"_s) + padding;
            if (f.name.compare(m_model->table().keyColumn, Qt::CaseInsensitive) == 0)
                width = metrics.horizontalAdvance(u"0b5e1d2c-9f4a-4c1e-8d7a-3f2b1c0d9e8f"_s) + padding;
            else if (f.isRepeated() || f.type == BigQuery::FieldType::Json || f.type == BigQuery::FieldType::Record)
                width = metrics.horizontalAdvance(u'x') * 56 + padding;
            else if (f.type == BigQuery::FieldType::Timestamp)
                width = metrics.horizontalAdvance(u"2024-05-01 12:00:00.123456 +00:00"_s) + padding;
            else if (f.type == BigQuery::FieldType::Bool)
                width = metrics.horizontalAdvance(u"false"_s) + padding;
            m_view->setColumnWidth(i, width);
        }
        m_sizedColumns = int(fields.size());
        m_sizedToContent = false;
    }

    void RowsPage::sizeColumnsToContent()
    {
        // Once per table, from the first rows (never ResizeToContents, which would measure a million rows).
        const QFontMetrics metrics = m_view->fontMetrics();
        const QList<BigQuery::TableField> &fields = m_model->table().schema.fields;
        const int rows = qMin(m_model->rowCount(), 50);
        const int padding = 24;
        for (int column = 0; column < fields.size(); ++column) {
            const BigQuery::TableField &f = fields[column];
            int width = m_view->horizontalHeader()->fontMetrics().horizontalAdvance(f.name) + padding;
            for (int row = 0; row < rows && m_model->isRowLoaded(row); ++row)
                width = qMax(width, metrics.horizontalAdvance(m_model->data(m_model->index(row, column)).toString()) + padding);
            const bool wide = f.isRepeated() || f.type == BigQuery::FieldType::Json || f.type == BigQuery::FieldType::Record;
            m_view->setColumnWidth(column, qBound(metrics.horizontalAdvance(u"NULL"_s) + padding, width, metrics.horizontalAdvance(u'x') * (wide ? 60 : 40)));
        }
        m_sizedToContent = true;
    }

    void RowsPage::updateDetail()
    {
        const int row = m_view->currentIndex().row();
        if (row < 0 || row >= m_model->rowCount()) {
            m_detail->clear();
            return;
        }
        if (!m_model->isRowLoaded(row)) {
            m_detail->setPlainText(tr("Loading row %1…").arg(QLocale().toString(row + 1)));
            return;
        }
        const QString text = prettyJsonRow(m_model->table().schema.fields, m_model->rowValues(row));
        if (m_detail->toPlainText() != text)
            m_detail->setPlainText(text);
    }

    void RowsPage::showError(const QString &message)
    {
        if (message.isEmpty()) {
            m_error->clear();
            m_error->setVisible(false);
            return;
        }
        const bool dark = isDarkPalette(palette());
        m_error->setStyleSheet(dark ? u"QLabel { background: #4a1f1f; color: #ffd7d5; border: 1px solid #7a3030; border-radius: 4px; padding: 6px; }"_s
                                    : u"QLabel { background: #fdecea; color: #6b1a14; border: 1px solid #f1b7b2; border-radius: 4px; padding: 6px; }"_s);
        m_error->setText(message);
        m_error->setVisible(true);
        updateStatus();
    }

    QString RowsPage::errorText() const
    {
        return m_error->isHidden() ? QString() : m_error->text();
    }

    QString RowsPage::statusText() const
    {
        return m_status->text();
    }

    void RowsPage::updateStatus()
    {
        const QLocale locale;
        QString text;
        switch (m_model->state()) {
        case RowWindowModel::State::Detached:
            if (!m_client)
                text = tr("Not connected.");
            else if (m_describing)
                text = tr("Reading the schema of %1…").arg(m_table.displayName());
            else
                text = tr("The table %1 is not known yet.").arg(m_table.displayName());
            break;
        case RowWindowModel::State::Loading:
            text = m_model->rowCount() > 0 ? tr("Counting the rows of %1… the newest %2 are shown.").arg(m_table.displayName(), locale.toString(m_model->rowCount()))
                                           : tr("Loading %1…").arg(m_table.displayName());
            break;
        case RowWindowModel::State::Ready: {
            const qint64 total = m_model->totalRows();
            text = (m_model->filters().isEmpty() ? tr("%1 rows") : tr("%1 rows match")).arg(locale.toString(total));
            if (total > m_model->rowCount())
                text += tr(" (the first %1 are shown)").arg(locale.toString(m_model->rowCount()));
            text += tr(" · newest first · %1").arg(m_table.displayName());
            if (m_model->lastQueryMs() >= 0)
                text += tr(" · query %1 ms").arg(m_model->lastQueryMs());
            if (isLiveMode())
                text += tr(" · live");
            break;
        }
        case RowWindowModel::State::Failed:
            text = tr("The query failed: see the message above.");
            break;
        }
        if (!m_exportMessage.isEmpty())
            text += u" · "_s + m_exportMessage;
        if (text != m_status->text()) {
            m_status->setText(text);
            emit statusChanged(text);
        }
    }

    void RowsPage::chooseExportFile()
    {
        if (isExporting())
            return;
        QString filter;
        const QString suggested = QDir::home().filePath(m_table.table.isEmpty() ? u"rows.csv"_s : m_table.table + u".csv"_s);
        QString path = QFileDialog::getSaveFileName(this, tr("Export rows"), suggested, tr("CSV (*.csv);;JSON (*.json)"), &filter);
        if (path.isEmpty())
            return;
        RowExporter::Format format = filter.startsWith(u"JSON"_s) ? RowExporter::Format::Json : RowExporter::formatForPath(path);
        if (QFileInfo(path).suffix().isEmpty())
            path += format == RowExporter::Format::Json ? u".json"_s : u".csv"_s;
        startExport(path, format);
    }

    bool RowsPage::startExport(const QString &path, RowExporter::Format format)
    {
        if (isExporting())
            return false;
        if (!m_model->client() || m_model->state() != RowWindowModel::State::Ready) {
            showError(tr("There is nothing to export until the rows are loaded."));
            return false;
        }
        m_exporter = new RowExporter(m_model->client(), m_model->currentQuery(), format, path, this);
        m_exporter->setExpectedRows(m_model->totalRows());
        connect(m_exporter, &RowExporter::progressed, this, [this](qint64 written, qint64 expected) {
            m_progress->setValue(expected > 0 ? int(qMin<qint64>(1000, written * 1000 / expected)) : 0);
            m_progress->setFormat(tr("%1 of %2 rows").arg(QLocale().toString(written), QLocale().toString(expected)));
        });
        connect(m_exporter, &RowExporter::finished, this, &RowsPage::handleExportFinished);
        m_progress->setValue(0);
        m_progress->setVisible(true);
        m_cancelExport->setVisible(true);
        m_export->setEnabled(false);
        m_exportMessage = tr("exporting to %1").arg(QDir::toNativeSeparators(path));
        updateStatus();
        m_exporter->start();
        return isExporting();   // false: it failed at once (the file cannot be written), and says so
    }

    void RowsPage::cancelExport()
    {
        if (m_exporter)
            m_exporter->cancel();
    }

    bool RowsPage::isExporting() const
    {
        return m_exporter && m_exporter->isRunning();
    }

    void RowsPage::handleExportFinished(RowExporter::Outcome outcome, const QString &message)
    {
        m_progress->setVisible(false);
        m_cancelExport->setVisible(false);
        m_export->setEnabled(true);
        const qint64 rows = m_exporter ? m_exporter->rowsWritten() : 0;
        switch (outcome) {
        case RowExporter::Outcome::Completed:
            m_exportMessage = tr("Exported %1 rows to %2").arg(QLocale().toString(rows), QDir::toNativeSeparators(message));
            break;
        case RowExporter::Outcome::Cancelled:
            m_exportMessage = message;
            break;
        case RowExporter::Outcome::Failed:
            m_exportMessage = tr("Export failed");
            showError(message);
            break;
        }
        if (m_exporter)
            m_exporter->deleteLater();
        updateStatus();
        emit exportFinished(outcome, message);
    }

    int RowsPage::copySelection(CopyFormat format)
    {
        std::set<int> rows;
        const QItemSelection selection = m_view->selectionModel()->selection();
        for (const QItemSelectionRange &range : selection) {
            for (int row = range.top(); row <= range.bottom() && int(rows.size()) < MaxCopiedRows; ++row)
                rows.insert(row);
        }
        if (rows.empty() && m_view->currentIndex().isValid())
            rows.insert(m_view->currentIndex().row());
        const QList<BigQuery::TableField> &fields = m_model->table().schema.fields;
        QStringList tsv {tsvHeader(fields)};
        QByteArray json = "[";
        int copied = 0;
        int skipped = 0;
        for (int row : rows) {
            const QVariantList values = m_model->rowValues(row);
            if (values.isEmpty()) {
                ++skipped;
                continue;
            }
            tsv.append(tsvRow(fields, values, m_model->timeDisplay()));
            json += copied ? ",\n" : "\n";
            appendJsonRow(fields, values, json);
            ++copied;
        }
        json += copied ? "\n]\n" : "]\n";
        if (copied == 0)
            return 0;
        auto *mime = new QMimeData;
        if (format == CopyFormat::Tsv) {
            mime->setText(tsv.join(u'\n') + u'\n');
            mime->setData(u"application/json"_s, json);
        } else {
            mime->setText(QString::fromUtf8(json));
        }
        QGuiApplication::clipboard()->setMimeData(mime);
        m_exportMessage = skipped ? tr("Copied %1 rows (%2 not loaded were left out)").arg(copied).arg(skipped) : tr("Copied %1 rows").arg(copied);
        updateStatus();
        return copied;
    }
}
