// A ProseMirror editor with the basic schema; Send reads the editor state.
import { baseKeymap } from 'prosemirror-commands';
import { keymap } from 'prosemirror-keymap';
import { schema } from 'prosemirror-schema-basic';
import { EditorState } from 'prosemirror-state';
import { EditorView } from 'prosemirror-view';

const view = new EditorView(document.getElementById('editor'), {
  state: EditorState.create({ schema, plugins: [keymap(baseKeymap)] }),
});

window.sent = [];
window.getEditorText = () => view.state.doc.textBetween(0, view.state.doc.content.size, '\n');
document.getElementById('send').addEventListener('click', () => window.sent.push(window.getEditorText()));
