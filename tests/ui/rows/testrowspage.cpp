// RowsPage offscreen over a real local cloud in this process: the filter bar and its errors, the detail pane,
// copy, export to CSV and JSON (read back and compared with a direct query), cancel, shortcuts, live mode, and
// the screenshot for the README ($AQ_SCREENSHOT_DIR/rows.png when that variable is set).
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include "tests/ui/rows/rowstestcloud.h"
#include "ui/rows/rowspage.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;
using namespace Aq::Ui;
using namespace Aq::Ui::Test;

namespace
{
    constexpr int Rows = 12000;

    bool waitReady(RowsPage &page, int timeoutMs = 30000)
    {
        return Test::waitReady(*page.model(), timeoutMs);
    }

    // RFC 4180: quoted fields with "" inside, CRLF between records, line breaks inside quotes.
    QList<QStringList> parseCsv(const QByteArray &bytes)
    {
        const QString text = QString::fromUtf8(bytes);
        QList<QStringList> records;
        QStringList record;
        QString field;
        bool quoted = false;
        for (qsizetype i = 0; i < text.size(); ++i) {
            const QChar c = text[i];
            if (quoted) {
                if (c == u'"' && i + 1 < text.size() && text[i + 1] == u'"') {
                    field += u'"';
                    ++i;
                } else if (c == u'"') {
                    quoted = false;
                } else {
                    field += c;
                }
            } else if (c == u'"') {
                quoted = true;
            } else if (c == u',') {
                record.append(field);
                field.clear();
            } else if (c == u'\r' && i + 1 < text.size() && text[i + 1] == u'\n') {
                record.append(field);
                records.append(record);
                record.clear();
                field.clear();
                ++i;
            } else {
                field += c;
            }
        }
        return records;
    }

    template <typename Widget>
    Widget *child(RowsPage &page, const QString &name)
    {
        return page.findChild<Widget *>(name);
    }
}

class TestRowsPage final : public QObject
{
    Q_OBJECT

private:
    TestCloud m_cloud;
    QTemporaryDir m_out;

private slots:
    void initTestCase()
    {
        const Status opened = m_cloud.open();
        QVERIFY2(opened, qPrintable(opened ? QString() : opened.error().message));
        QVERIFY(m_cloud.createFilled(u"events"_s, Rows));
    }

    void showsTheRowsAndTheSelectedOneAsJson()
    {
        RowsPage page(m_cloud.client(), m_cloud.rowsTable(u"events"_s));
        page.resize(1280, 800);
        page.show();
        QVERIFY(waitReady(page));
        QCOMPARE(page.model()->rowCount(), Rows);
        QVERIFY2(page.statusText().contains(u"12,000 rows"_s), qPrintable(page.statusText()));
        QVERIFY(page.statusText().contains(u"newest first"_s));
        QVERIFY(page.statusText().contains(u" ms"_s));
        page.view()->selectRow(1);
        auto *detail = child<QPlainTextEdit>(page, u"rowDetail"_s);
        QVERIFY(QTest::qWaitFor([&] { return detail->toPlainText().contains(u"\"event_id\": \"e-0011998\""_s); }, 5000));
        const QJsonObject row = QJsonDocument::fromJson(detail->toPlainText().toUtf8()).object();
        QCOMPARE(row.value(u"event_data"_s).toObject().value(u"n"_s).toInt(), 11998);
        QCOMPARE(row.value(u"timestamp"_s).toString(), u"2024-05-01 13:06:39 UTC"_s);

        // Scrolling to the end fills the rows there, and the detail of a row follows its page.
        page.view()->scrollToBottom();
        QVERIFY(QTest::qWaitFor([&] { return page.model()->isRowLoaded(Rows - 1); }, 10000));
        page.view()->selectRow(Rows - 1);
        QVERIFY(QTest::qWaitFor([&] { return detail->toPlainText().contains(u"\"event_id\": \"e-0000000\""_s); }, 5000));
    }

    void aTableWithoutItsSchemaIsDescribedFirst()
    {
        RowsTable table;
        table.dataset = u"analytics"_s;
        table.table = u"events"_s;
        RowsPage page(nullptr, table);
        QVERIFY(page.statusText().contains(u"Not connected"_s));
        page.setClient(m_cloud.client());
        QVERIFY(waitReady(page));
        QCOMPARE(page.model()->columnCount(), 8);
        QCOMPARE(page.model()->rowCount(), Rows);
        QCOMPARE(page.model()->table().project, m_cloud.project());

        // A table that does not exist (yet): said so, and F5 asks again.
        RowsTable missing = table;
        missing.table = u"not_there"_s;
        page.setTable(missing);
        QVERIFY(QTest::qWaitFor([&] { return !page.errorText().isEmpty(); }, 10000));
        QVERIFY2(page.errorText().contains(u"not_there"_s), qPrintable(page.errorText()));
    }

    void theFilterBarFiltersAndShowsErrors()
    {
        RowsPage page(m_cloud.client(), m_cloud.rowsTable(u"events"_s));
        page.resize(1280, 800);
        page.show();
        QVERIFY(waitReady(page));
        auto *eventType = child<QLineEdit>(page, u"eventTypeFilter"_s);
        auto *since = child<QLineEdit>(page, u"sinceFilter"_s);
        auto *where = child<QLineEdit>(page, u"whereFilter"_s);
        auto *apply = child<QPushButton>(page, u"applyFilters"_s);
        auto *clear = child<QPushButton>(page, u"clearFilters"_s);
        QVERIFY(eventType && since && where && apply && clear);

        eventType->setText(u"purchase"_s);
        QTest::keyClick(eventType, Qt::Key_Return);
        QVERIFY(QTest::qWaitFor([&] { return page.model()->filters().eventType == u"purchase"_s && page.model()->state() == RowWindowModel::State::Ready; }, 30000));
        QCOMPARE(page.model()->totalRows(), Rows / 3);
        QVERIFY2(page.statusText().contains(u"4,000 rows match"_s), qPrintable(page.statusText()));

        // The server refuses the condition: its message, with the position inside the clause.
        where->setText(u"nope = 1"_s);
        QTest::mouseClick(apply, Qt::LeftButton);
        QVERIFY(QTest::qWaitFor([&] { return !page.errorText().isEmpty(); }, 30000));
        QVERIFY2(page.errorText().contains(u"Unrecognized name: nope at [1:1] in the WHERE clause"_s), qPrintable(page.errorText()));
        QCOMPARE(page.model()->rowCount(), 0);
        QVERIFY(page.statusText().contains(u"failed"_s));

        // Refused here: a second statement, a time nobody can read.
        where->setText(u"TRUE; DROP TABLE x"_s);
        QTest::mouseClick(apply, Qt::LeftButton);
        QVERIFY2(page.errorText().contains(u"';'"_s), qPrintable(page.errorText()));
        where->setText(u"JSON_VALUE(event_data, '$.page') = '/products/3'"_s);
        since->setText(u"yesterday"_s);
        QTest::mouseClick(apply, Qt::LeftButton);
        QVERIFY2(page.errorText().contains(u"yesterday"_s), qPrintable(page.errorText()));
        since->setText(u"2024-05-01 12:30"_s);
        QTest::mouseClick(apply, Qt::LeftButton);
        QVERIFY(page.errorText().isEmpty());
        QVERIFY(waitReady(page));
        const qint64 expected = m_cloud.scalar(u"SELECT COUNT(*) FROM %1 WHERE event_type = 'purchase' AND timestamp >= '2024-05-01 12:30:00 UTC' AND JSON_VALUE(event_data, '$.page') = '/products/3'"_s.arg(m_cloud.qualified(u"events"_s)));
        QVERIFY(expected > 0);
        QCOMPARE(page.model()->totalRows(), expected);

        QTest::mouseClick(clear, Qt::LeftButton);
        QVERIFY(where->text().isEmpty() && eventType->text().isEmpty() && since->text().isEmpty());
        QVERIFY(waitReady(page));
        QCOMPARE(page.model()->totalRows(), Rows);
        QVERIFY(page.errorText().isEmpty());
    }

    void copiesTheSelectedRows()
    {
        RowsPage page(m_cloud.client(), m_cloud.rowsTable(u"events"_s));
        page.resize(1280, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY(waitReady(page));
        page.view()->setFocus();
        page.view()->selectionModel()->select(QItemSelection(page.model()->index(0, 0), page.model()->index(2, 7)),
                                              QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QTest::keyClick(page.view(), Qt::Key_C, Qt::ControlModifier);
        const QMimeData *mime = QApplication::clipboard()->mimeData();
        QVERIFY(mime);
        const QStringList lines = mime->text().split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 4);
        QCOMPARE(lines[0], u"event_id\tevent_type\tuser_id\ttimestamp\tevent_data\tmessage_id\tpublish_time\tingest_time"_s);
        QVERIFY2(lines[1].startsWith(u"e-0011999\tpurchase\tuser_0024\t2024-05-01 13:06:39 UTC\t{"_s), qPrintable(lines[1]));
        const QJsonArray json = QJsonDocument::fromJson(mime->data(u"application/json"_s)).array();
        QCOMPARE(json.size(), 3);
        QCOMPARE(json[2].toObject().value(u"event_id"_s).toString(), u"e-0011997"_s);

        QTest::keyClick(page.view(), Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
        const QJsonArray asText = QJsonDocument::fromJson(QApplication::clipboard()->text().toUtf8()).array();
        QCOMPARE(asText.size(), 3);
        QCOMPARE(asText[0].toObject().value(u"event_data"_s).toObject().value(u"n"_s).toInt(), 11999);
    }

    void exportsTheCurrentQuery_data()
    {
        QTest::addColumn<int>("format");
        QTest::addColumn<QString>("eventType");
        QTest::newRow("csv, every row") << int(RowExporter::Format::Csv) << QString();
        QTest::newRow("json, every row") << int(RowExporter::Format::Json) << QString();
        QTest::newRow("csv, clicks") << int(RowExporter::Format::Csv) << u"click"_s;
        QTest::newRow("json, clicks") << int(RowExporter::Format::Json) << u"click"_s;
    }

    void exportsTheCurrentQuery()
    {
        QFETCH(int, format);
        QFETCH(QString, eventType);
        RowsPage page(m_cloud.client(), m_cloud.rowsTable(u"events"_s));
        RowFilters filters;
        filters.eventType = eventType;
        QVERIFY(page.setFilters(filters));
        QVERIFY(waitReady(page));
        const QString where = eventType.isEmpty() ? QString() : u"event_type = '%1'"_s.arg(eventType);
        const QStringList expected = m_cloud.orderedIds(u"events"_s, where);
        QCOMPARE(page.model()->totalRows(), expected.size());

        const QString path = m_out.filePath(u"export-%1-%2.%3"_s.arg(format).arg(eventType, format == int(RowExporter::Format::Json) ? u"json"_s : u"csv"_s));
        QSignalSpy finished(&page, &RowsPage::exportFinished);
        auto *progress = child<QWidget>(page, u"exportProgress"_s);
        QVERIFY(page.startExport(path, RowExporter::Format(format)));
        QVERIFY(page.isExporting());
        QVERIFY(!progress->isHidden());
        QVERIFY(!QFile::exists(path));   // nothing until it is complete
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.first().first().value<RowExporter::Outcome>(), RowExporter::Outcome::Completed);
        QVERIFY(progress->isHidden());
        QVERIFY2(page.statusText().contains(u"Exported %1 rows"_s.arg(QLocale().toString(expected.size()))), qPrintable(page.statusText()));

        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        QStringList ids;
        if (format == int(RowExporter::Format::Csv)) {
            const QList<QStringList> records = parseCsv(bytes);
            QCOMPARE(records.first(), (QStringList {u"event_id"_s, u"event_type"_s, u"user_id"_s, u"timestamp"_s, u"event_data"_s, u"message_id"_s,
                                                    u"publish_time"_s, u"ingest_time"_s}));
            for (qsizetype i = 1; i < records.size(); ++i) {
                QCOMPARE(records[i].size(), 8);
                ids.append(records[i][0]);
            }
            // The last row is the oldest: e-0000000 or the oldest click, with its cells as cellToText writes them.
            const QStringList &last = records.last();
            const QJsonObject data = QJsonDocument::fromJson(last[4].toUtf8()).object();
            QCOMPARE(data.value(u"note"_s).toString(), u"a \"quoted\", comma, value"_s);
            QCOMPARE(last[6], QString());   // NULL publish_time
            QVERIFY(last[3].endsWith(u" UTC"_s));
        } else {
            QJsonParseError error;
            const QJsonDocument document = QJsonDocument::fromJson(bytes, &error);
            QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
            const QJsonArray array = document.array();
            for (const QJsonValue &row : array)
                ids.append(row.toObject().value(u"event_id"_s).toString());
            const QJsonObject first = array.first().toObject();
            QCOMPARE(first.keys().size(), 8);
            QVERIFY(first.value(u"event_data"_s).isObject());
            QVERIFY(first.value(u"publish_time"_s).isNull());
            QCOMPARE(first.value(u"event_data"_s).toObject().value(u"n"_s).toInt(), first.value(u"event_id"_s).toString().mid(2).toInt());
        }
        QCOMPARE(ids.size(), expected.size());
        QVERIFY(ids == expected);
    }

    void aCancelledExportLeavesNoFile()
    {
        RowsPage page(m_cloud.client(), m_cloud.rowsTable(u"events"_s));
        QVERIFY(waitReady(page));
        QSignalSpy finished(&page, &RowsPage::exportFinished);
        const QString path = m_out.filePath(u"cancelled.csv"_s);
        QVERIFY(page.startExport(path, RowExporter::Format::Csv));
        // After the first page or two are written to the temporary file.
        QVERIFY(QTest::qWaitFor([&] { return !page.isExporting() || page.findChild<RowExporter *>()->rowsWritten() > 0; }, 30000));
        QVERIFY(page.isExporting());
        QTest::mouseClick(child<QPushButton>(page, u"cancelExport"_s), Qt::LeftButton);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.first().first().value<RowExporter::Outcome>(), RowExporter::Outcome::Cancelled);
        QVERIFY(!page.isExporting());
        QTest::qWait(100);
        QVERIFY(!QFile::exists(path));
        QCOMPARE(QDir(m_out.path()).entryList({u"cancelled*"_s}, QDir::Files | QDir::Hidden), QStringList());

        // An existing file stays as it was.
        const QString existing = m_out.filePath(u"existing.json"_s);
        {
            QFile file(existing);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("keep me");
        }
        QVERIFY(page.startExport(existing, RowExporter::Format::Json));
        page.cancelExport();
        QCOMPARE(finished.count(), 2);
        QFile file(existing);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("keep me"));

        // A file that cannot be written fails at once, saying why.
        QVERIFY(!page.startExport(m_out.filePath(u"no/such/dir/x.csv"_s), RowExporter::Format::Csv));
        QCOMPARE(finished.count(), 3);
        QCOMPARE(finished.last().first().value<RowExporter::Outcome>(), RowExporter::Outcome::Failed);
        QVERIFY(!page.errorText().isEmpty());
    }

    void keyboardShortcuts()
    {
        QVERIFY(m_cloud.createFilled(u"keys"_s, 300));
        RowsPage page(m_cloud.client(), m_cloud.rowsTable(u"keys"_s));
        page.resize(1280, 800);
        page.show();
        page.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&page));
        QVERIFY(waitReady(page));
        page.view()->setFocus();

        QTest::keyClick(page.view(), Qt::Key_F, Qt::ControlModifier);
        QCOMPARE(QApplication::focusWidget(), child<QLineEdit>(page, u"eventTypeFilter"_s));

        QVERIFY(m_cloud.insert(u"keys"_s, generatedRows(300, 340)));
        QTest::keyClick(page.view(), Qt::Key_F5);
        QVERIFY(QTest::qWaitFor([&] { return page.model()->rowCount() == 340; }, 10000));
        QCOMPARE(page.model()->rowValues(0).value(0).toString(), u"e-0000339"_s);

        // Live mode: new rows show by themselves while the page is visible, and no query runs while it is hidden.
        QTest::keyClick(page.view(), Qt::Key_L, Qt::ControlModifier);
        QVERIFY(page.isLiveMode());
        QVERIFY(m_cloud.insert(u"keys"_s, generatedRows(340, 350)));
        QVERIFY(QTest::qWaitFor([&] { return page.model()->rowCount() == 350; }, 10000));
        page.hide();
        QVERIFY(m_cloud.insert(u"keys"_s, generatedRows(350, 360)));
        QTest::qWait(2600);
        QCOMPARE(page.model()->rowCount(), 350);
        page.show();
        QVERIFY(QTest::qWaitFor([&] { return page.model()->rowCount() == 360; }, 10000));
        page.setLiveMode(false);
    }

    void readersFurtherDownKeepTheirRowsWhenNewOnesArrive()
    {
        QVERIFY(m_cloud.createFilled(u"reading"_s, 2000));
        RowsPage page(m_cloud.client(), m_cloud.rowsTable(u"reading"_s));
        page.resize(1280, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY(waitReady(page));
        page.view()->scrollTo(page.model()->index(1000, 0), QAbstractItemView::PositionAtTop);
        QVERIFY(QTest::qWaitFor([&] { return page.model()->isRowLoaded(page.view()->rowAt(0)); }, 10000));
        const QString topId = page.model()->rowValues(page.view()->rowAt(0)).value(0).toString();
        QVERIFY(m_cloud.insert(u"reading"_s, generatedRows(2000, 2050)));
        page.refresh();
        QVERIFY(QTest::qWaitFor([&] { return page.model()->rowCount() == 2050; }, 10000));
        QVERIFY(QTest::qWaitFor([&] { return page.model()->isRowLoaded(page.view()->rowAt(0)); }, 10000));
        QCOMPARE(page.model()->rowValues(page.view()->rowAt(0)).value(0).toString(), topId);
    }

    void screenshot()
    {
        const QString dir = qEnvironmentVariable("AQ_SCREENSHOT_DIR");
        if (dir.isEmpty())
            QSKIP("AQ_SCREENSHOT_DIR is not set");
        RowsPage page(m_cloud.client(), m_cloud.rowsTable(u"events"_s));
        page.resize(1280, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY(waitReady(page));
        child<QLineEdit>(page, u"whereFilter"_s)->setText(u"JSON_VALUE(event_data, '$.page') != '/products/0'"_s);
        QVERIFY(page.applyFilters());
        QVERIFY(waitReady(page));
        page.view()->selectRow(3);
        const int last = page.view()->rowAt(page.view()->viewport()->height() - 1);
        QVERIFY(QTest::qWaitFor([&] { return page.model()->isRowLoaded(qMax(0, last)); }, 10000));
        QTest::qWait(100);
        QVERIFY(QDir().mkpath(dir));
        const QString path = QDir(dir).filePath(u"rows.png"_s);
        QVERIFY(page.grab().save(path));
        qInfo("screenshot: %s", qPrintable(path));
    }
};

QTEST_MAIN(TestRowsPage)
#include "testrowspage.moc"
