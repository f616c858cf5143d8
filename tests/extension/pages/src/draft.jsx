// A Draft.js editor (the kind X/Twitter's compose box is), with a Post button driven by the editor state.
import 'draft-js/dist/Draft.css';
import { Editor, EditorState } from 'draft-js';
import React from 'react';
import ReactDOM from 'react-dom';

window.sent = [];

function App() {
  const [editorState, setEditorState] = React.useState(() => EditorState.createEmpty());
  const latest = React.useRef(editorState);
  window.getEditorText = () => latest.current.getCurrentContent().getPlainText();
  const onChange = (state) => {
    latest.current = state;
    setEditorState(state);
  };
  const text = editorState.getCurrentContent().getPlainText();
  return (
    <div>
      <div className="box" data-testid="tweetTextarea_0">
        <Editor editorState={editorState} onChange={onChange} placeholder="What is happening?!" />
      </div>
      <button id="send" type="button" disabled={!text.trim()} onClick={() => window.sent.push(text)}>Post</button>
    </div>
  );
}

ReactDOM.render(<App />, document.getElementById('root'));
